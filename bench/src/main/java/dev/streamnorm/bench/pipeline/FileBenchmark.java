package dev.streamnorm.bench.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.NormalizeJob;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.RecordShape;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;

/**
 * The JSON file benchmark: {@code streamnorm run} file → file (the job of the CLI: {@link
 * NormalizeJob#run}'s graph, on one MiniCluster started once) beside {@link PlainJsonLoop}, on the
 * same JSON-lines files, in one JVM.
 *
 * <p>After a check that Flink and the plain loop write the same values and a warm-up run of each
 * variant, each side runs a small and a large file; the <b>marginal CPU per record</b> is the
 * difference of the process's CPU time between the two runs over the difference of their records,
 * so start-up and job submission cancel out. Printed per repetition: marginal CPU µs per record of
 * each variant, records/s of the large run, and the ratios; then their medians. A Flink run also
 * reports its last completed checkpoint's full state size per key·feature.
 */
public final class FileBenchmark {
    private final int features;
    private final int keys;
    private final int batchSize;
    private final long small;
    private final long large;
    private final int parallelism;
    private final Path dir;
    private final MiniCluster cluster;
    private final boolean check;
    private final boolean warmup;
    private final List<String> flinkOptions;

    private FileBenchmark(Args args, MiniCluster cluster) throws IOException {
        this.features = args.intValue("features", 32);
        this.keys = args.intValue("keys", 1000);
        this.batchSize = args.intValue("batch-size", 100);
        this.small = args.longValue("small-records", 200_000);
        this.large = args.longValue("records", 1_000_000);
        this.parallelism = args.intValue("parallelism", 1);
        this.dir = Files.createTempDirectory("streamnorm-file-bench-");
        this.cluster = cluster;
        this.check = args.bool("check", true);
        this.warmup = args.bool("warmup", true);
        // Extra Flink options of the jobs, key=value[,key=value...], e.g. RocksDB tuning to
        // compare.
        this.flinkOptions = args.list("flink-options", "");
    }

    /** One run: records, wall and process CPU nanoseconds, checkpoint state bytes (or -1). */
    private static final class Run {
        final long records;
        final long wallNanos;
        final long cpuNanos;
        final long checkpointBytes;

        Run(long records, long wallNanos, long cpuNanos, long checkpointBytes) {
            this.records = records;
            this.wallNanos = wallNanos;
            this.cpuNanos = cpuNanos;
            this.checkpointBytes = checkpointBytes;
        }

        double recordsPerSecond() {
            return records / (wallNanos / 1e9);
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        List<String> variants = args.list("variants", "plain,hashmap,rocksdb");
        int reps = args.intValue("reps", 3);
        Duration checkpointInterval = args.duration("checkpoint-interval", Duration.ofSeconds(5));
        Configuration clusterConf = new Configuration();
        clusterConf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        clusterConf.set(RestOptions.ADDRESS, "127.0.0.1");
        clusterConf.set(RestOptions.BIND_PORT, "0");
        clusterConf.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
        try (MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(clusterConf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build())) {
            cluster.start();
            FileBenchmark bench = new FileBenchmark(args, cluster);
            try {
                args.checkAllUsed();
                Report.environment("JSON file benchmark", args);
                bench.run(variants, reps, checkpointInterval);
            } finally {
                FileUtils.deleteDirectoryQuietly(bench.dir.toFile());
            }
        }
    }

    private void run(List<String> variants, int reps, Duration checkpointInterval)
            throws Exception {
        PipelineData data = new PipelineData(keys, features);
        Path smallFile = write(data, small);
        Path largeFile = write(data, large);
        if (check) {
            check(largeFile, variants, checkpointInterval);
        }
        // Warm-up, not counted: the JIT compiles the codec's, Flink's and RocksDB's hot paths.
        for (String variant : warmup ? variants : List.<String>of()) {
            run(variant, largeFile, checkpointInterval);
        }
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        Map<String, List<Double>> rate = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        for (int rep = 0; rep < reps; rep++) {
            Map<String, Double> repCpu = new HashMap<>();
            Map<String, Double> repRate = new HashMap<>();
            for (int v = 0; v < variants.size(); v++) {
                // Rotated order, so no variant always runs first or last.
                String variant = variants.get((v + rep) % variants.size());
                Run a = run(variant, smallFile, checkpointInterval);
                Run b = run(variant, largeFile, checkpointInterval);
                double marginal = (b.cpuNanos - a.cpuNanos) / 1e3 / (b.records - a.records);
                repCpu.put(variant, marginal);
                repRate.put(variant, b.recordsPerSecond());
                Report.line(
                        "rep %d %-8s marginal CPU %6.2f µs/record, %,9.0f records/s (large run),"
                                + " checkpoint %s",
                        rep + 1,
                        variant,
                        marginal,
                        b.recordsPerSecond(),
                        b.checkpointBytes < 0
                                ? "-"
                                : String.format(
                                        "%.1f B per key·feature",
                                        b.checkpointBytes / ((double) keys * features)));
                cpu.computeIfAbsent(variant, k -> new ArrayList<>()).add(marginal);
                rate.computeIfAbsent(variant, k -> new ArrayList<>()).add(b.recordsPerSecond());
            }
            ratio(ratios, "hashmap CPU/record ÷ plain", repCpu, "hashmap", "plain");
            ratio(ratios, "rocksdb records/s ÷ hashmap", repRate, "rocksdb", "hashmap");
            ratio(ratios, "rocksdb CPU/record ÷ hashmap", repCpu, "rocksdb", "hashmap");
        }
        Report.line("medians over %d repetitions:", reps);
        cpu.forEach(
                (v, values) ->
                        Report.line(
                                "  %-8s marginal CPU %6.2f µs/record, %,9.0f records/s",
                                v, Report.median(values), Report.median(rate.get(v))));
        ratios.forEach(
                (name, values) ->
                        Report.line("  %-30s %.3f %s", name, Report.median(values), values));
    }

    private static void ratio(
            Map<String, List<Double>> ratios,
            String name,
            Map<String, Double> values,
            String numerator,
            String denominator) {
        if (values.containsKey(numerator) && values.containsKey(denominator)) {
            double ratio = values.get(numerator) / values.get(denominator);
            ratios.computeIfAbsent(name, k -> new ArrayList<>()).add(ratio);
            Report.line("      %s: %.3f", name, ratio);
        }
    }

    /** Writes {@code records} JSON lines ({@link PipelineData#json}) to a file. */
    private Path write(PipelineData data, long records) throws IOException {
        Path file = dir.resolve("in-" + records + ".jsonl");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (long i = 0; i < records; i++) {
                out.write(data.json(i, 1_732_272_000_000L + i));
                out.write('\n');
            }
        }
        return file;
    }

    private Run run(String variant, Path in, Duration checkpointInterval) throws Exception {
        Path out = dir.resolve(variant + "-out.jsonl");
        long cpu0 = Probe.processCpu();
        long t0 = System.nanoTime();
        long checkpointBytes = -1;
        long records;
        if (variant.equals("plain")) {
            records = new PlainJsonLoop(features, batchSize).run(in, out);
        } else {
            checkpointBytes = runFlink(variant, in, out, checkpointInterval);
            records = -1;
        }
        long wall = System.nanoTime() - t0;
        long cpu = Probe.processCpu() - cpu0;
        if (records < 0) {
            // Counted after the clocks stopped.
            try (Stream<String> lines = Files.lines(out)) {
                records = lines.count();
            }
        }
        return new Run(records, wall, cpu, checkpointBytes);
    }

    /** Runs the CLI's job on the cluster; returns its last checkpoint's state size, or -1. */
    private long runFlink(String backend, Path in, Path out, Duration checkpointInterval)
            throws Exception {
        Normalization normalization =
                Normalization.builder()
                        .setShape(RecordShape.vector(features))
                        .setBatchSize(batchSize)
                        .setBatchTimeout(Duration.ZERO)
                        .build();
        JobConfig config =
                BenchJobConfig.of(
                        "file bench " + backend,
                        in.toUri().toString(),
                        out.toUri().toString(),
                        dir.resolve(backend + "-dead.jsonl").toUri().toString(),
                        normalization,
                        Delivery.AT_LEAST_ONCE,
                        checkpointInterval,
                        backend,
                        dir.resolve("checkpoints-" + backend).toUri().toString(),
                        parallelism,
                        KafkaSettings.none());
        Configuration conf = NormalizeJob.flinkConfiguration(config);
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.setString("execution.checkpointing.incremental", "true");
        for (String option : flinkOptions) {
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--flink-options: expected key=value, got " + option);
            }
            conf.setString(option.substring(0, eq), option.substring(eq + 1));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        NormalizeJob.sinkOutputs(
                NormalizeJob.defineWorkflow(
                        dev.streamnorm.jobs.io.Connectors.source(env, config), config),
                config);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        graph.getJobConfiguration().addAll(conf);
        JobID id = cluster.submitJob(graph).get().getJobID();
        cluster.requestJobResult(id).get().toJobExecutionResult(getClass().getClassLoader());
        AccessExecutionGraph done = cluster.getExecutionGraph(id).get();
        CompletedCheckpointStats latest =
                done.getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
        return latest == null ? -1 : latest.getStateSize();
    }

    /**
     * Before timing: the large file through Flink (the first Flink variant) and the plain loop; the
     * values of every 97th record must be equal (parsed as doubles, not compared as text).
     */
    private void check(Path in, List<String> variants, Duration checkpointInterval)
            throws Exception {
        String flink =
                variants.stream().filter(v -> !v.equals("plain")).findFirst().orElse("hashmap");
        run("plain", in, checkpointInterval);
        run(flink, in, checkpointInterval);
        Map<Long, double[]> plain = sample(dir.resolve("plain-out.jsonl"));
        Map<Long, double[]> other = sample(dir.resolve(flink + "-out.jsonl"));
        if (!plain.keySet().equals(other.keySet())) {
            throw new IllegalStateException("plain and " + flink + " wrote different records");
        }
        for (Map.Entry<Long, double[]> e : plain.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.get(e.getKey()))) {
                throw new IllegalStateException(
                        "record " + e.getKey() + ": plain and " + flink + " values differ");
            }
        }
        Report.line("check: %,d sampled records agree (plain, %s)", plain.size(), flink);
    }

    private static Map<Long, double[]> sample(Path file) throws IOException {
        JsonFactory json = new JsonFactory();
        Map<Long, double[]> values = new HashMap<>();
        try (Stream<String> lines = Files.lines(file)) {
            for (String line : (Iterable<String>) lines::iterator) {
                long id = PipelineData.idOf(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (id % 97 != 0) {
                    continue;
                }
                List<Double> row = new ArrayList<>();
                try (JsonParser parser = json.createParser(line)) {
                    while (parser.nextToken() != null) {
                        if (parser.currentToken() == JsonToken.FIELD_NAME
                                && parser.currentName().equals("values")) {
                            parser.nextToken();
                            while (parser.nextToken() != JsonToken.END_ARRAY) {
                                row.add(parser.getDoubleValue());
                            }
                        }
                    }
                }
                values.put(id, row.stream().mapToDouble(Double::doubleValue).toArray());
            }
        }
        return values;
    }
}
