package dev.streamnorm.bench.pipeline;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Small helpers for the printed report. */
final class Report {
    private Report() {}

    static void line(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /** The median of {@code values} (mean of the two middle ones for an even count). */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The {@code q}-quantile (nearest rank) of sorted {@code values}; NaN when empty. */
    static double quantile(long[] sorted, int n, double q) {
        if (n == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * n);
        return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
    }

    /** Sorts the first {@code n} entries and returns p50 and p99. */
    static double[] p50p99(long[] values, int n) {
        Arrays.sort(values, 0, n);
        return new double[] {quantile(values, n, 0.50), quantile(values, n, 0.99)};
    }

    /** The machine and JVM, for the report header. */
    static void environment(String title, Args args) {
        Runtime rt = Runtime.getRuntime();
        line("== %s ==", title);
        line(
                "java %s (%s), %d cores, max heap %d MB, JVM flags %s",
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                rt.availableProcessors(),
                rt.maxMemory() >> 20,
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .filter(a -> !a.startsWith("--add-"))
                        .toList());
        line("options: %s", args.describe());
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        line("system load average at start: %.2f", load);
    }

    /** Lets the previous run's threads wind down so they do not steal time from the next. */
    static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(500);
    }
}
