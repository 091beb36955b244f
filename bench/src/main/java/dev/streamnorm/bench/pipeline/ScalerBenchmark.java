package dev.streamnorm.bench.pipeline;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.RecordShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The scalers beside batch norm: records per second, and per second of task-thread CPU time,
 * through the keyed operator of each norm in one mode (train by default) on a local MiniCluster,
 * the same records ({@link PipelineData}) for every norm, norms interleaved in each repetition.
 * Each scaler's figure is also given as a ratio to batch norm's of the same repetition.
 *
 * <pre>
 * bench/pipeline-bench scalers [--records 1000000] [--reps 3] [--mode train]
 *     [--norms batch,standard,minmax,maxabs,robust] [--backend hashmap] [--keys 1000]
 *     [--features 32]
 * </pre>
 */
public final class ScalerBenchmark {
    private final Args args;
    private final long records;
    private final int reps;
    private final int keys;
    private final int features;
    private final Mode mode;
    private final String backend;
    private final List<Norm> norms = new ArrayList<>();
    private final Map<Norm, List<Double>> cpuRates = new LinkedHashMap<>();
    private final Map<Norm, List<Double>> cpuRatios = new LinkedHashMap<>();

    private ScalerBenchmark(Args args) {
        this.args = args;
        this.records = args.longValue("records", 1_000_000);
        this.reps = args.intValue("reps", 3);
        this.keys = args.intValue("keys", 1000);
        this.features = args.intValue("features", 32);
        this.mode = Mode.valueOf(args.list("mode", "train").get(0).toUpperCase(Locale.ROOT));
        this.backend = args.list("backend", "hashmap").get(0);
        for (String n : args.list("norms", "batch,standard,minmax,maxabs,robust")) {
            norms.add(Norm.valueOf(n.toUpperCase(Locale.ROOT)));
        }
        args.checkAllUsed();
    }

    public static void main(String[] argv) throws Exception {
        new ScalerBenchmark(new Args(argv)).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Report.environment("scaler benchmark: the scalers beside batch norm, keyed operator", args);
        Report.line(
                "%s mode, %d features, %d keys (round robin), %s backend, parallelism 1, %,d"
                        + " records per run; batch norm: batch size 32",
                mode.id(), features, keys, backend, records);
        Report.line("-- warm-up (not counted) --");
        for (Norm norm : norms) {
            time(norm, Math.min(records, 200_000));
        }
        for (int rep = 1; rep <= reps; rep++) {
            Report.line("-- repetition %d of %d --", rep, reps);
            Map<Norm, Double> perCpu = new LinkedHashMap<>();
            for (Norm norm : norms) {
                perCpu.put(norm, time(norm, records));
            }
            Double batch = perCpu.get(Norm.BATCH);
            perCpu.forEach(
                    (norm, rate) -> {
                        cpuRates.computeIfAbsent(norm, k -> new ArrayList<>()).add(rate);
                        if (batch != null) {
                            cpuRatios
                                    .computeIfAbsent(norm, k -> new ArrayList<>())
                                    .add(rate / batch);
                        }
                    });
        }
        Report.line("");
        Report.line("== median over %d repetitions ==", reps);
        for (Norm norm : norms) {
            List<Double> ratio = cpuRatios.get(norm);
            Report.line(
                    "%-10s %,14.0f records per CPU-s%s",
                    norm.id(),
                    Report.median(cpuRates.get(norm)),
                    ratio == null
                            ? ""
                            : String.format(
                                    Locale.ROOT, "   %.2f x batch norm", Report.median(ratio)));
        }
    }

    /** One run of {@code n} records through {@code norm}; returns records per CPU-second. */
    private double time(Norm norm, long n) throws Exception {
        Report.settle();
        StreamExecutionEnvironment env =
                new OperatorJob(keys, features, mode, backend, 1, true).environment();
        Normalization normalization =
                Normalization.builder()
                        .setNorm(norm)
                        .setMode(mode)
                        .setShape(RecordShape.vector(features))
                        .setBatchSize(OperatorJob.BATCH_SIZE)
                        .setBatchTimeout(Duration.ZERO)
                        .build();
        normalization
                .apply(
                        env.fromSequence(0, n - 1)
                                .map(
                                        new OperatorJob.GenerateRecords(keys, features),
                                        FeatureRecordTypeInfoFactory.TYPE_INFO))
                .sinkTo(new CountingSink<FeatureRecord>());
        Probe.reset();
        long wallStart = System.nanoTime();
        env.execute("scaler benchmark " + norm.id());
        long wall = System.nanoTime() - wallStart;
        RunTiming t =
                new RunTiming(n, Probe.sunk(), Probe.elapsedNanos(), wall, Probe.taskCpuNanos());
        if (t.sunk != n) {
            throw new IllegalStateException("the job emitted " + t.sunk + " of " + n + " records");
        }
        Report.line(
                "%-10s %,11d records %7.2f s %,12.0f records/s | %,12.0f per CPU-s",
                norm.id(), n, t.elapsedNanos / 1e9, t.recordsPerSecond(), t.recordsPerCpuSecond());
        return t.recordsPerCpuSecond();
    }
}
