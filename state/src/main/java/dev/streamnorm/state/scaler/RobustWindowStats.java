package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The robust scaler of online mode: median and quantile range, exactly as {@code RobustScaler}
 * computes them, over the key's last {@code W} records, where {@code W = round(2/m − 1)} for the
 * forgetting weight m: the span whose records have the same mean age as an exponentially weighted
 * average with weight m (m = 0.01 → W = 199). Deterministic; state is W values per feature.
 */
public final class RobustWindowStats extends ScalerStats {
    private final int window;
    private final int features;

    /** The last {@code min(count, window)} records, row by row, oldest at {@code next}. */
    private final double[] rows;

    private int next;

    /** A window of {@code window} records of {@code features} values. */
    public RobustWindowStats(int features, int window) {
        checkArgument(features > 0, "features must be positive, got %s", features);
        checkArgument(window > 0, "window must be positive, got %s", window);
        this.features = features;
        this.window = window;
        this.rows = new double[features * window];
    }

    /** The window of records for the forgetting weight {@code m}: {@code round(2/m − 1)}, >= 1. */
    public static int windowOf(double m) {
        checkArgument(m > 0 && m <= 1, "momentum must be in (0, 1], got %s", m);
        return (int) Math.max(1, Math.round(2 / m - 1));
    }

    /**
     * A window restored from {@code count} records seen and the last ones kept, oldest first
     * ({@code min(count, window)} rows of {@code features} values).
     */
    public static RobustWindowStats of(int features, int window, long count, double[] lastRows) {
        RobustWindowStats stats = new RobustWindowStats(features, window);
        checkArgument(count >= 0, "count must not be negative, got %s", count);
        checkArgument(
                lastRows.length == features * (int) Math.min(count, window),
                "expected %s values for %s records in a window of %s, got %s",
                features * Math.min(count, window),
                count,
                window,
                lastRows.length);
        System.arraycopy(lastRows, 0, stats.rows, 0, lastRows.length);
        stats.count = count;
        // Oldest first from row 0: the next record goes after them, or replaces the oldest.
        stats.next = count < window ? (int) count : 0;
        return stats;
    }

    @Override
    public ScalerKind kind() {
        return ScalerKind.ROBUST;
    }

    @Override
    public int features() {
        return features;
    }

    public int window() {
        return window;
    }

    /** The records kept, oldest first, row by row. */
    public double[] lastRows() {
        int kept = (int) Math.min(count, window);
        double[] out = new double[kept * features];
        int oldest = kept < window ? 0 : next;
        for (int r = 0; r < kept; r++) {
            int row = (oldest + r) % window;
            System.arraycopy(rows, row * features, out, r * features, features);
        }
        return out;
    }

    @Override
    public void accept(double[] x) {
        checkFeatures(x);
        System.arraycopy(x, 0, rows, next * features, features);
        next = (next + 1) % window;
        count++;
    }

    /** The same as {@link #accept}: the window forgets by its length. */
    @Override
    public void acceptForgetting(double[] x, double m) {
        accept(x);
    }

    @Override
    public FittedScaler fit(ScalerParams params) {
        return FittedScaler.of(ScalerKind.ROBUST, params, attributes(params));
    }

    @Override
    public Map<String, double[]> attributes(ScalerParams params) {
        int kept = (int) Math.min(count, window);
        double[] center = new double[features];
        double[] scale = new double[features];
        double[] column = new double[kept];
        for (int i = 0; i < features; i++) {
            if (kept == 0) {
                scale[i] = 1;
                continue;
            }
            for (int r = 0; r < kept; r++) {
                column[r] = rows[r * features + i];
            }
            Arrays.sort(column);
            center[i] = Quantiles.median(column, kept);
            scale[i] =
                    Quantiles.scale(
                            Quantiles.percentile(column, kept, params.quantileLow),
                            Quantiles.percentile(column, kept, params.quantileHigh),
                            params);
        }
        return attributes(center, scale, params);
    }

    /** The robust scaler's attributes {@code center_}, {@code scale_}. */
    static Map<String, double[]> attributes(double[] center, double[] scale, ScalerParams params) {
        Map<String, double[]> attributes = new LinkedHashMap<>();
        attributes.put("center_", center);
        attributes.put("scale_", scale);
        return attributes;
    }

    @Override
    public RobustWindowStats copy() {
        return of(features, window, count, lastRows());
    }

    @Override
    Object[] contents() {
        return new Object[] {new int[] {window, features}, lastRows()};
    }
}
