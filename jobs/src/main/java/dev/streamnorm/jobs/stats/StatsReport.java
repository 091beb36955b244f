package dev.streamnorm.jobs.stats;

import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.state.RunningStats;
import java.io.PrintWriter;
import java.util.Locale;

/** A stats file as a readable table: the layer settings, then one row per key and feature. */
public final class StatsReport {
    private StatsReport() {}

    /** Prints the settings and the rows of {@code keys} (which must all be in the file). */
    public static void print(StatsFile file, Iterable<String> keys, PrintWriter out) {
        out.println(
                "layer: shape "
                        + (file.shape == null ? "learned per key" : file.shape.toString())
                        + ", momentum "
                        + orUnknown(file.momentum)
                        + ", convention "
                        + orUnknown(file.convention)
                        + ", eps "
                        + (file.eps == null ? "unknown" : file.eps.toString())
                        + ", affine "
                        + (file.affine.isIdentity() ? "none" : file.affine.length() + " channels"));
        out.println(
                String.format(
                        Locale.ROOT,
                        "%-20s %7s %14s %14s %12s %8s",
                        "key",
                        "feature",
                        "running_mean",
                        "running_var",
                        "std",
                        "batches"));
        for (String key : keys) {
            RunningStats stats = file.stats.lookupExact(key);
            for (int c = 0; c < stats.channels(); c++) {
                out.println(
                        String.format(
                                Locale.ROOT,
                                "%-20s %7d %14.6g %14.6g %12.6g %8d",
                                key,
                                c,
                                stats.mean(c),
                                stats.variance(c),
                                Math.sqrt(stats.variance(c)),
                                stats.numBatchesTracked()));
            }
        }
        out.flush();
    }

    private static String orUnknown(String value) {
        return value == null ? "unknown" : value;
    }
}
