package dev.streamnorm.bench.pipeline;

import dev.streamnorm.operators.Mode;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark A: records per second through the keyed batch-norm operator on a local MiniCluster,
 * beside a plain Java loop doing the same normalization on the same records in this JVM.
 *
 * <p>For every repetition and mode, the plain loop runs first, then the Flink pipeline with each
 * state backend and parallelism; every ratio is Flink / plain loop of the same repetition. Before
 * anything is timed, each mode's output on a sample (and, in train mode, every key's final running
 * stats) is compared value by value with the plain loop's.
 *
 * <p>In train mode the {@link Floor}s run on the same records, without Flink state: keyed as the
 * job is, a pass-through and the operator's work with its batches in a HashMap, and at parallelism
 * 1 also a pass-through over a keyBy. The bar compares train mode on the HashMap backend with each
 * ({@link #BAR}).
 *
 * <pre>
 * bench/pipeline-bench operators [--records 3000000] [--rocksdb-records 600000] [--reps 3]
 *     [--modes train,eval,online] [--backends hashmap,rocksdb] [--parallelism 1,2]
 * </pre>
 */
public final class OperatorBenchmark {
    /**
     * The project's bar: train mode on the HashMap backend ≥ this share of a floor's records per
     * second, by wall clock and per CPU-second of the task threads.
     */
    static final double BAR = 0.85;

    private final Args args;
    private final int keys;
    private final int features;
    private final long records;
    private final long rocksdbRecords;
    private final long sample;
    private final int reps;
    private final List<Mode> modes = new ArrayList<>();
    private final List<String> backends;
    private final List<Integer> parallelisms = new ArrayList<>();
    private final boolean objectReuse;
    private final int plainPasses;
    private final boolean reference;
    private final PipelineData data;
    // rates.get(config key) = records/s per repetition; ratios likewise.
    private final Map<String, List<Double>> rates = new LinkedHashMap<>();
    private final Map<String, List<Double>> ratios = new LinkedHashMap<>();
    // The same per second of CPU time of the threads doing the work (see the README).
    private final Map<String, List<Double>> cpuRates = new LinkedHashMap<>();
    private final Map<String, List<Double>> cpuRatios = new LinkedHashMap<>();

    private OperatorBenchmark(Args args) {
        this.args = args;
        this.keys = args.intValue("keys", 1000);
        this.features = args.intValue("features", 32);
        this.records = args.longValue("records", 3_000_000);
        this.rocksdbRecords = args.longValue("rocksdb-records", 600_000);
        // Not a multiple of keys × 32: partial batches (some of a single record) at the end.
        this.sample = args.longValue("sample", 33_500);
        this.reps = args.intValue("reps", 3);
        for (String m : args.list("modes", "train,eval,online")) {
            modes.add(Mode.valueOf(m.toUpperCase(Locale.ROOT)));
        }
        this.backends = args.list("backends", "hashmap,rocksdb");
        for (String p : args.list("parallelism", "1,2")) {
            parallelisms.add(Integer.parseInt(p));
        }
        this.objectReuse = args.bool("object-reuse", true);
        this.plainPasses = args.intValue("plain-passes", 3);
        this.reference = args.bool("reference", true);
        args.checkAllUsed();
        this.data = new PipelineData(keys, features);
    }

    public static void main(String[] argv) throws Exception {
        OperatorBenchmark bench = new OperatorBenchmark(new Args(argv));
        bench.run();
        System.exit(0);
    }

    private void run() throws Exception {
        Report.environment("operator benchmark (A): keyed batch norm on a local MiniCluster", args);
        Report.line(
                "records: %d features, %d keys (round robin), batch size %d, batch-timeout 0,"
                        + " pytorch m=%.1f eps=%s; HashMap runs %,d records, RocksDB runs %,d",
                features,
                keys,
                OperatorJob.BATCH_SIZE,
                PlainNorm.MOMENTUM,
                PlainNorm.EPS,
                records,
                rocksdbRecords);
        for (Mode mode : modes) {
            verify(mode);
        }
        warmUp();
        for (int rep = 1; rep <= reps; rep++) {
            Report.line("");
            Report.line("-- repetition %d of %d --", rep, reps);
            for (Mode mode : modes) {
                // The plain loop runs before and after the mode's Flink runs; their mean is the
                // baseline, so that a change in machine load during the runs shows up in both.
                double[] before = plainRun(mode, records);
                List<String> configs = new ArrayList<>();
                List<double[]> flink = new ArrayList<>();
                for (String backend : backends) {
                    for (int p : parallelisms) {
                        configs.add(key(mode, backend, p));
                        flink.add(
                                flinkRun(
                                        new OperatorJob(
                                                keys, features, mode, backend, p, objectReuse),
                                        key(mode, backend, p),
                                        recordsFor(backend)));
                    }
                }
                if (reference && mode == Mode.TRAIN) {
                    // The same graph without Flink state: keyed alone (Flink's own cost), and keyed
                    // with the operator's work, its batches in a HashMap.
                    for (int p : parallelisms) {
                        for (Floor floor : Floor.at(p)) {
                            configs.add(floor.label(p));
                            flink.add(
                                    flinkRun(
                                            OperatorJob.floor(
                                                    keys, features, p, objectReuse, floor),
                                            floor.label(p),
                                            records));
                        }
                    }
                }
                double[] after = plainRun(mode, records);
                double plain = (before[0] + after[0]) / 2;
                double plainCpu = (before[1] + after[1]) / 2;
                record(key(mode, "plain", 1), plain, Double.NaN, plainCpu, Double.NaN);
                for (int i = 0; i < configs.size(); i++) {
                    double[] f = flink.get(i);
                    record(configs.get(i), f[0], f[0] / plain, f[1], f[1] / plainCpu);
                }
            }
        }
        summary();
    }

    private long recordsFor(String backend) {
        return backend.equals("rocksdb") ? rocksdbRecords : records;
    }

    private static String key(Mode mode, String backend, int parallelism) {
        return backend.equals("plain")
                ? mode.id() + " plain loop"
                : mode.id() + " flink " + backend + " p=" + parallelism;
    }

    private void record(String key, double rate, double ratio, double cpuRate, double cpuRatio) {
        rates.computeIfAbsent(key, k -> new ArrayList<>()).add(rate);
        cpuRates.computeIfAbsent(key, k -> new ArrayList<>()).add(cpuRate);
        if (!Double.isNaN(ratio)) {
            ratios.computeIfAbsent(key, k -> new ArrayList<>()).add(ratio);
            cpuRatios.computeIfAbsent(key, k -> new ArrayList<>()).add(cpuRatio);
        }
    }

    private PlainNorm plain(Mode mode) {
        switch (mode) {
            case EVAL:
                Map<String, double[]> means = new HashMap<>();
                Map<String, double[]> variances = new HashMap<>();
                OperatorJob.evalStats(data)
                        .forEach(
                                (k, s) -> {
                                    means.put(k, s.meanArray());
                                    variances.put(k, s.varianceArray());
                                });
                return new PlainEval(means, variances, features);
            case ONLINE:
                return new PlainOnline(features);
            default:
                return new PlainTrain(features, OperatorJob.BATCH_SIZE);
        }
    }

    /** Sums one value per output so the JIT cannot drop the work; counts outputs. */
    private static final class Checksum implements PlainNorm.Emitter {
        double sum;
        long count;

        @Override
        public void emit(long id, Object tag, double[] normalized) {
            sum += normalized[(int) (id & 31) % normalized.length];
            count++;
        }
    }

    /**
     * The plain loop over the first {@code n} records, {@code plainPasses} times with fresh state
     * (so that it runs long enough to time).
     *
     * @return records per second of wall time and of this thread's CPU time, over all passes
     */
    private double[] plainRun(Mode mode, long n) throws InterruptedException {
        Report.settle();
        Checksum out = new Checksum();
        long cpuStart = Probe.threadCpu();
        long start = System.nanoTime();
        for (int pass = 0; pass < plainPasses; pass++) {
            PlainNorm norm = plain(mode);
            for (long i = 0; i < n; i++) {
                norm.accept(data.key(i), i, data.values(i), null, out);
            }
            norm.finish(out);
        }
        long elapsed = System.nanoTime() - start;
        long cpu = Probe.threadCpu() - cpuStart;
        long total = n * plainPasses;
        if (out.count != total) {
            throw new IllegalStateException("plain loop emitted " + out.count + " of " + total);
        }
        double rate = total / (elapsed / 1e9);
        double cpuRate = total / (cpu / 1e9);
        Report.line(
                "%-28s %,11d records %7.2f s %,12.0f records/s | %,12.0f per CPU-s   (%d passes,"
                        + " checksum %.3e)",
                key(mode, "plain", 1), total, elapsed / 1e9, rate, cpuRate, plainPasses, out.sum);
        return new double[] {rate, cpuRate};
    }

    /**
     * @return records per second of wall time and of task-thread CPU time
     */
    private double[] flinkRun(OperatorJob job, String label, long n) throws Exception {
        Report.settle();
        RunTiming t = job.run(n, data);
        if (t.sunk != n) {
            throw new IllegalStateException("the job emitted " + t.sunk + " of " + n + " records");
        }
        Report.line(
                "%-28s %,11d records %7.2f s %,12.0f records/s | %,12.0f per CPU-s   (job wall"
                        + " time %.2f s)",
                label,
                n,
                t.elapsedNanos / 1e9,
                t.recordsPerSecond(),
                t.recordsPerCpuSecond(),
                t.wallNanos / 1e9);
        return new double[] {t.recordsPerSecond(), t.recordsPerCpuSecond()};
    }

    private void warmUp() throws Exception {
        Report.line("");
        Report.line("-- warm-up (not counted) --");
        for (Mode mode : modes) {
            plainRun(mode, Math.min(records, 1_000_000));
            String backend = backends.get(0);
            flinkRun(
                    new OperatorJob(keys, features, mode, backend, 1, objectReuse),
                    key(mode, backend, 1),
                    Math.min(recordsFor(backend), 1_000_000));
        }
    }

    /** Compares the operator's output on the sample with the plain loop's, value by value. */
    private void verify(Mode mode) throws Exception {
        OperatorJob job = new OperatorJob(keys, features, mode, "hashmap", 1, objectReuse);
        OperatorJob.Outputs flink = job.runAndCollect(sample, data);
        PlainNorm norm = plain(mode);
        Map<Long, double[]> plainOut = new HashMap<>();
        PlainNorm.Emitter keep = (id, tag, y) -> plainOut.put(id, y.clone());
        for (long i = 0; i < sample; i++) {
            norm.accept(data.key(i), i, data.values(i), null, keep);
        }
        norm.finish(keep);
        if (flink.records.size() != sample || plainOut.size() != sample) {
            throw new IllegalStateException(
                    String.format(
                            "%s: %d records, Flink emitted %d, the plain loop %d",
                            mode.id(), sample, flink.records.size(), plainOut.size()));
        }
        double worst = 0;
        for (long i = 0; i < sample; i++) {
            worst =
                    Math.max(
                            worst,
                            compare(mode + " record " + i, flink.records.get(i), plainOut.get(i)));
        }
        String stats = "";
        if (mode == Mode.TRAIN) {
            PlainTrain train = (PlainTrain) norm;
            // Only keys that closed a batch of two or more records have running stats.
            long trained = train.keys().stream().filter(k -> train.state(k).batches > 0).count();
            if (flink.finalStats.size() != trained) {
                throw new IllegalStateException(
                        "final stats of " + flink.finalStats.size() + " keys, expected " + trained);
            }
            for (String key : train.keys()) {
                PlainTrain.KeyState s = train.state(key);
                if (s.batches == 0) {
                    continue;
                }
                RunningStats r = flink.finalStats.get(key);
                if (r == null || r.numBatchesTracked() != s.batches) {
                    throw new IllegalStateException("batches of key " + key + " differ: " + r);
                }
                worst =
                        Math.max(
                                worst,
                                compare("running mean " + key, r.meanArray(), s.runningMean));
                worst =
                        Math.max(
                                worst,
                                compare("running var " + key, r.varianceArray(), s.runningVar));
            }
            stats =
                    String.format(
                            Locale.ROOT, " and the final running stats of all %d keys", trained);
        }
        Report.line(
                "check %-6s: Flink and the plain loop agree on all %,d records%s (largest relative"
                        + " difference %.1e)",
                mode.id(), sample, stats, worst);
    }

    /** The largest relative difference; fails above 1e-12. */
    private static double compare(String what, double[] flink, double[] plain) {
        double worst = 0;
        for (int c = 0; c < plain.length; c++) {
            double a = flink[c];
            double b = plain[c];
            double scale = Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
            double diff = Math.abs(a - b) / scale;
            if (!(diff <= 1e-12)) {
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT, "%s[%d]: Flink %s, plain loop %s", what, c, a, b));
            }
            worst = Math.max(worst, diff);
        }
        return worst;
    }

    private void summary() {
        Report.line("");
        Report.line(
                "== summary: records/s (wall clock) per repetition and median; ratio = Flink /"
                        + " plain loop of the same repetition and mode ==");
        table(rates, ratios);
        Report.line("");
        Report.line(
                "== the same per second of CPU time of the threads doing the work (Flink: source"
                        + " and operator task threads; plain: the loop's thread) ==");
        table(cpuRates, cpuRatios);
        for (int p : parallelisms) {
            String train = key(Mode.TRAIN, "hashmap", p);
            for (Floor f : Floor.at(p)) {
                String floor = f.label(p);
                bar("records/s", train, floor, rates);
                bar("records per CPU-s", train, floor, cpuRates);
            }
        }
    }

    /** Prints {@code a} / {@code b} of each repetition and their median against {@link #BAR}. */
    private static void bar(String what, String a, String b, Map<String, List<Double>> rates) {
        List<Double> as = rates.get(a);
        List<Double> bs = rates.get(b);
        if (as == null || bs == null) {
            return;
        }
        List<Double> ratio = new ArrayList<>();
        StringBuilder runs = new StringBuilder();
        for (int i = 0; i < as.size(); i++) {
            ratio.add(as.get(i) / bs.get(i));
            runs.append(String.format(Locale.ROOT, " %.3f", ratio.get(i)));
        }
        double median = Report.median(ratio);
        Report.line(
                "bar: %s / %s, %s:%s | median %.3f %s %.2f -> %s",
                a,
                b,
                what,
                runs,
                median,
                median >= BAR ? ">=" : "<",
                BAR,
                median >= BAR ? "MET" : "MISSED");
    }

    private static void table(Map<String, List<Double>> rates, Map<String, List<Double>> ratios) {
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            StringBuilder runs = new StringBuilder();
            for (double r : e.getValue()) {
                runs.append(String.format(Locale.ROOT, " %,11.0f", r));
            }
            List<Double> ratio = ratios.get(e.getKey());
            StringBuilder ratioRuns = new StringBuilder();
            if (ratio != null) {
                for (double r : ratio) {
                    ratioRuns.append(String.format(Locale.ROOT, " %.3f", r));
                }
            }
            Report.line(
                    "%-28s runs%s | median %,11.0f%s",
                    e.getKey(),
                    runs,
                    Report.median(e.getValue()),
                    ratio == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " | ratio%s | median %.3f",
                                    ratioRuns,
                                    Report.median(ratio)));
        }
    }
}
