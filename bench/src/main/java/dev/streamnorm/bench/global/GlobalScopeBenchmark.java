package dev.streamnorm.bench.global;

import dev.streamnorm.bench.global.GlobalScopeJob.Outputs;
import dev.streamnorm.bench.global.GlobalScopeJob.Variant;
import dev.streamnorm.bench.pipeline.RunTiming;
import dev.streamnorm.state.RunningStats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Global-scope scaling: records per second of train-mode batch norm with one set of statistics for
 * all records, at parallelism 1 and 2 (global scope) and with every record under one key (the keyed
 * baseline, which cannot scale: one key is one subtask), on a local MiniCluster.
 *
 * <p>First, on a sample, global scope at parallelism 1 and 2 and the one-key baseline must give the
 * same outputs and final stats (relative 1e-12), so no timed configuration computes something else.
 * Then a warm-up run of each configuration, then {@code --reps} repetitions of all configurations,
 * one after the other in the same JVM. Every run is reported; the scaling is global p2 / global p1
 * of the same repetition (bar: ≥ 1.45), and CPU per record p2/p1 (bar: ≤ 1.05), beside the same
 * ratios of the floor ({@link #DEFAULT_CONFIGS}).
 *
 * <pre>
 * bench/global-scope-bench [--records 20000000] [--reps 3] [--features 32] [--interval-ms 256]
 *     [--watermark-interval-ms 50] [--object-reuse false] [--sample 40000] [--warmup 3000000]
 *     [--configs global-p1,global-p2,fused-bound-p1,fused-bound-p2[,one-key-p1,one-key-p2]
 *     [,keyed-p1,keyed-p2]] [--threads true] [--max-drift-ms 300000] [--alignment-update-ms 20]
 * </pre>
 */
public final class GlobalScopeBenchmark {
    static final double BAR = 1.45;
    static final double CPU_BAR = 1.05;

    /**
     * Global scope and its floor, {@link FusedLocalBound}: the same per-record work chained to the
     * source with each subtask's own statistics, so no coordinator and no waiting for the other
     * subtask. Its p2/p1 is what parallelism 2 can gain on this machine at all.
     */
    static final String DEFAULT_CONFIGS = "global-p1,global-p2,fused-bound-p1,fused-bound-p2";

    static final double TOLERANCE = 1e-12;

    private final Map<String, String> args = new LinkedHashMap<>();

    private GlobalScopeBenchmark(String[] argv) {
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + argv[i]);
            }
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        if (argv.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "expected --name value pairs: " + Arrays.toString(argv));
        }
    }

    private long number(String name, long defaultValue) {
        return Long.parseLong(
                args.getOrDefault(name, Long.toString(defaultValue)).replace("_", ""));
    }

    public static void main(String[] argv) throws Exception {
        new GlobalScopeBenchmark(argv).run();
        System.exit(0);
    }

    private void run() throws Exception {
        long records = number("records", 20_000_000);
        int reps = (int) number("reps", 3);
        int features = (int) number("features", 32);
        long interval = number("interval-ms", 256);
        long watermarkInterval = number("watermark-interval-ms", 50);
        boolean objectReuse = Boolean.parseBoolean(args.getOrDefault("object-reuse", "false"));
        long sample = number("sample", 40_000);
        long warmup = number("warmup", 3_000_000);
        long maxDrift = number("max-drift-ms", 300_000);
        long alignmentUpdate = number("alignment-update-ms", 20);

        System.out.printf(
                Locale.ROOT,
                "global-scope benchmark: %s, %d cores, java %s, heap %d MB%n",
                args,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf(
                Locale.ROOT,
                "train mode, pytorch m=0.1, %d features, event time 1 record/ms, batches of %d ms"
                        + " (%d records), periodic monotonous watermarks every %d ms, object reuse"
                        + " %s, source watermark alignment: max drift %d ms (0 = off), updated every"
                        + " %d ms; %,d records per timed run%n",
                features,
                interval,
                interval,
                watermarkInterval,
                objectReuse,
                maxDrift,
                alignmentUpdate,
                records);

        List<String> only = Arrays.asList(args.getOrDefault("configs", DEFAULT_CONFIGS).split(","));
        // The timed configurations, and the ones whose outputs must agree on the sample.
        List<GlobalScopeJob> jobs = new ArrayList<>();
        List<GlobalScopeJob> checked = new ArrayList<>();
        for (Variant variant : Variant.values()) {
            for (int p = 1; p <= 2; p++) {
                GlobalScopeJob job =
                        new GlobalScopeJob(
                                variant,
                                p,
                                features,
                                interval,
                                watermarkInterval,
                                objectReuse,
                                maxDrift,
                                alignmentUpdate);
                if (only.contains(job.name().replace(' ', '-'))) {
                    jobs.add(job);
                }
                if (variant == Variant.GLOBAL || (variant == Variant.ONE_KEY && p == 1)) {
                    checked.add(job);
                }
            }
        }
        if (sample > 0) {
            check(checked, sample);
        }
        for (GlobalScopeJob job : jobs) {
            RunTiming t = job.run(warmup);
            System.out.printf(
                    Locale.ROOT,
                    "warm-up %-10s %,12.0f records/s%n",
                    job.name(),
                    t.recordsPerSecond());
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> cpuPerMillion = new LinkedHashMap<>();
        boolean threads = Boolean.parseBoolean(args.getOrDefault("threads", "true"));
        for (int rep = 1; rep <= reps; rep++) {
            for (GlobalScopeJob job : jobs) {
                long gcBefore = gcMillis();
                ThreadSampler sampler = new ThreadSampler();
                sampler.start();
                RunTiming t = job.run(records);
                sampler.stop();
                if (t.sunk != records) {
                    throw new IllegalStateException(
                            job.name() + ": " + t.sunk + " records out of " + records);
                }
                rates.computeIfAbsent(job.name(), k -> new ArrayList<>()).add(t.recordsPerSecond());
                cpuPerMillion
                        .computeIfAbsent(job.name(), k -> new ArrayList<>())
                        .add(t.cpuNanos / 1e9 / (records / 1e6));
                System.out.printf(
                        Locale.ROOT,
                        "rep %d %-10s %,12.0f records/s  (%.2f s; cpu %.2f s = %.2f cores busy,"
                                + " %.2f cpu-s per million records; wall %.2f s, gc %d ms)%n",
                        rep,
                        job.name(),
                        t.recordsPerSecond(),
                        t.elapsedNanos / 1e9,
                        t.cpuNanos / 1e9,
                        (double) t.cpuNanos / t.elapsedNanos,
                        t.cpuNanos / 1e9 / (records / 1e6),
                        t.wallNanos / 1e9,
                        gcMillis() - gcBefore);
                if (threads && rep == 1) {
                    sampler.print(t.elapsedNanos);
                }
            }
        }
        summarize(rates, cpuPerMillion);
    }

    /**
     * Samples the CPU time of every thread every 20 ms while a job runs (Flink's task threads end
     * with the job), to show where a configuration spends its cores.
     */
    private static final class ThreadSampler implements Runnable {
        private final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> first = new HashMap<>();
        private final Map<Long, Long> last = new HashMap<>();
        private final Map<Long, String> names = new HashMap<>();
        private final Thread thread = new Thread(this, "thread-sampler");
        private volatile boolean running = true;

        void start() {
            sample(true);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        @Override
        public void run() {
            while (running) {
                sample(false);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private synchronized void sample(boolean initial) {
            for (ThreadInfo info : bean.getThreadInfo(bean.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long nanos = bean.getThreadCpuTime(info.getThreadId());
                if (nanos < 0) {
                    continue;
                }
                first.putIfAbsent(info.getThreadId(), initial ? nanos : 0L);
                last.put(info.getThreadId(), nanos);
                names.put(info.getThreadId(), info.getThreadName());
            }
        }

        /** The threads that used at least 2% of a core over {@code elapsed}, by CPU share. */
        synchronized void print(long elapsed) {
            Map<String, Long> byName = new HashMap<>();
            for (Map.Entry<Long, Long> e : last.entrySet()) {
                long used = e.getValue() - first.get(e.getKey());
                String name = names.get(e.getKey()).replaceAll("#\\d+$", "");
                byName.merge(name, used, Long::sum);
            }
            List<Map.Entry<String, Long>> top = new ArrayList<>();
            for (Map.Entry<String, Long> e : byName.entrySet()) {
                if (e.getValue() > elapsed / 50) {
                    top.add(e);
                }
            }
            top.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
            for (Map.Entry<String, Long> e : top) {
                String name = e.getKey();
                System.out.printf(
                        Locale.ROOT,
                        "      %5.2f cores  %s%n",
                        (double) e.getValue() / elapsed,
                        name.length() > 120 ? name.substring(0, 120) + "..." : name);
            }
        }
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Global p1, global p2 and one-key p1 must agree on a sample before anything is timed. */
    private static void check(List<GlobalScopeJob> jobs, long sample) throws Exception {
        Outputs reference = null;
        String referenceName = null;
        for (GlobalScopeJob job : jobs) {
            Outputs out = job.runAndCollect(sample);
            if (out.records.size() != sample || out.finalStats.size() != 1) {
                throw new IllegalStateException(
                        job.name()
                                + ": "
                                + out.records.size()
                                + " records, final stats "
                                + out.finalStats.keySet());
            }
            if (reference == null) {
                reference = out;
                referenceName = job.name();
                continue;
            }
            double worst = 0;
            for (Map.Entry<Long, double[]> e : reference.records.entrySet()) {
                worst = Math.max(worst, relativeError(out.records.get(e.getKey()), e.getValue()));
            }
            RunningStats a = reference.finalStats.values().iterator().next();
            RunningStats b = out.finalStats.values().iterator().next();
            double stats =
                    Math.max(
                            relativeError(a.meanArray(), b.meanArray()),
                            relativeError(a.varianceArray(), b.varianceArray()));
            System.out.printf(
                    Locale.ROOT,
                    "check %s vs %s on %,d records: max relative error %.2e (outputs), %.2e (final"
                            + " stats), %d batches%n",
                    job.name(),
                    referenceName,
                    sample,
                    worst,
                    stats,
                    b.numBatchesTracked());
            if (worst > TOLERANCE
                    || stats > TOLERANCE
                    || a.numBatchesTracked() != b.numBatchesTracked()) {
                throw new IllegalStateException(job.name() + " disagrees with " + referenceName);
            }
        }
    }

    private static double relativeError(double[] actual, double[] expected) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1.0, Math.max(Math.abs(actual[i]), Math.abs(expected[i])));
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
        }
        return worst;
    }

    private static void summarize(
            Map<String, List<Double>> rates, Map<String, List<Double>> cpuPerMillion) {
        System.out.println("summary (records/s, every repetition; median):");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            StringBuilder all = new StringBuilder();
            for (double r : e.getValue()) {
                all.append(String.format(Locale.ROOT, " %,.0f", r));
            }
            all.append(
                    String.format(
                            Locale.ROOT,
                            "   cpu-s per million records: median %.2f",
                            median(cpuPerMillion.get(e.getKey()))));
            System.out.printf(
                    Locale.ROOT,
                    "  %-10s median %,12.0f   all:%s%n",
                    e.getKey(),
                    median(e.getValue()),
                    all);
        }
        printRatio(rates, "global p2", "global p1", "scaling global p2/p1", ">=", BAR);
        printRatio(rates, "fused-bound p2", "fused-bound p1", "scaling floor p2/p1", null, 0);
        printRatio(rates, "one-key p2", "one-key p1", "scaling one-key p2/p1", null, 0);
        printRatio(rates, "global p2", "one-key p1", "global p2 / one-key p1", null, 0);
        printRatio(rates, "keyed p2", "keyed p1", "scaling keyed p2/p1", null, 0);
        printRatio(
                cpuPerMillion,
                "global p2",
                "global p1",
                "cpu per record global p2/p1",
                "<=",
                CPU_BAR);
        printRatio(
                cpuPerMillion,
                "fused-bound p2",
                "fused-bound p1",
                "cpu per record floor p2/p1",
                null,
                0);
        printRatio(cpuPerMillion, "keyed p2", "keyed p1", "cpu per record keyed p2/p1", null, 0);
        if (cpuPerMillion.containsKey("global p1") && cpuPerMillion.containsKey("fused-bound p1")) {
            // What parallelism 2 costs global scope beyond what it costs the floor.
            List<Double> global =
                    ratios(cpuPerMillion.get("global p2"), cpuPerMillion.get("global p1"));
            List<Double> floor =
                    ratios(
                            cpuPerMillion.get("fused-bound p2"),
                            cpuPerMillion.get("fused-bound p1"));
            Map<String, List<Double>> relative = new LinkedHashMap<>();
            relative.put("global", global);
            relative.put("floor", floor);
            printRatio(
                    relative,
                    "global",
                    "floor",
                    "cpu per record p2/p1, global / floor",
                    "<=",
                    CPU_BAR);
        }
    }

    /**
     * The ratios a / b of each repetition and their median, against {@code bar} when {@code
     * relation} ({@code >=} or {@code <=}) is given; nothing unless both ran.
     */
    private static void printRatio(
            Map<String, List<Double>> rates,
            String a,
            String b,
            String label,
            String relation,
            double bar) {
        if (!rates.containsKey(a) || !rates.containsKey(b)) {
            return;
        }
        List<Double> ratios = ratios(rates.get(a), rates.get(b));
        double median = median(ratios);
        String verdict = "";
        if (relation != null) {
            boolean met = relation.equals(">=") ? median >= bar : median <= bar;
            verdict =
                    String.format(
                            Locale.ROOT,
                            " (bar %s %.2f: %s)",
                            relation,
                            bar,
                            met ? "met" : "MISSED");
        }
        System.out.printf(
                Locale.ROOT,
                "%s per rep %s, median %.2f%s%n",
                label,
                format(ratios),
                median,
                verdict);
    }

    private static List<Double> ratios(List<Double> a, List<Double> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        return ratios;
    }

    private static String format(List<Double> values) {
        StringBuilder s = new StringBuilder("[");
        for (double v : values) {
            s.append(s.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", v));
        }
        return s.append(']').toString();
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
