package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Map;

/**
 * The robust scaler's exact mode, for bounded inputs: every value of the key is kept, sorted per
 * feature, and the median and percentiles are NumPy's exactly ({@link Quantiles}). State and the
 * cost of a record grow with the key's count (8 bytes per value; an insertion moves half the values
 * on average), so this mode is for keys of up to some 10⁵ records.
 */
public final class RobustExactStats extends ScalerStats {
    private final double[][] sorted;

    RobustExactStats(int features) {
        checkArgument(features > 0, "features must be positive, got %s", features);
        this.sorted = new double[features][16];
    }

    /**
     * Statistics of {@code count} records from their values, feature by feature ({@code values[i]}
     * holds feature i's {@code count} values in any order).
     *
     * @throws IllegalArgumentException if a feature has not {@code count} values
     */
    public static RobustExactStats of(long count, double[][] values) {
        checkArgument(values.length > 0, "no features");
        RobustExactStats stats = new RobustExactStats(values.length);
        for (int i = 0; i < values.length; i++) {
            checkArgument(
                    values[i].length == count,
                    "feature %s has %s values, expected %s",
                    i,
                    values[i].length,
                    count);
            stats.sorted[i] = values[i].clone();
            Arrays.sort(stats.sorted[i]);
        }
        stats.count = count;
        return stats;
    }

    @Override
    public ScalerKind kind() {
        return ScalerKind.ROBUST;
    }

    @Override
    public int features() {
        return sorted.length;
    }

    /** Feature {@code i}'s values in ascending order. */
    public double[] values(int i) {
        return Arrays.copyOf(sorted[i], (int) count);
    }

    @Override
    public void accept(double[] x) {
        checkFeatures(x);
        checkArgument(count < Integer.MAX_VALUE - 16, "exact mode holds at most 2^31 values");
        int n = (int) count;
        for (int i = 0; i < x.length; i++) {
            double[] values = sorted[i];
            if (n == values.length) {
                values = Arrays.copyOf(values, 2 * n);
                sorted[i] = values;
            }
            int at = Arrays.binarySearch(values, 0, n, x[i]);
            at = at < 0 ? -at - 1 : at;
            System.arraycopy(values, at, values, at + 1, n - at);
            values[at] = x[i];
        }
        count++;
    }

    /** Not supported: exact mode keeps every value (online mode uses {@link RobustWindowStats}). */
    @Override
    public void acceptForgetting(double[] x, double m) {
        throw new UnsupportedOperationException("exact robust statistics do not forget");
    }

    @Override
    public FittedScaler fit(ScalerParams params) {
        return FittedScaler.of(ScalerKind.ROBUST, params, attributes(params));
    }

    @Override
    public Map<String, double[]> attributes(ScalerParams params) {
        int n = (int) count;
        double[] center = new double[sorted.length];
        double[] scale = new double[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            if (n == 0) {
                scale[i] = 1;
                continue;
            }
            center[i] = Quantiles.median(sorted[i], n);
            scale[i] =
                    Quantiles.scale(
                            Quantiles.percentile(sorted[i], n, params.quantileLow),
                            Quantiles.percentile(sorted[i], n, params.quantileHigh),
                            params);
        }
        return RobustWindowStats.attributes(center, scale, params);
    }

    @Override
    public RobustExactStats copy() {
        double[][] values = new double[sorted.length][];
        for (int i = 0; i < values.length; i++) {
            values[i] = values(i);
        }
        return of(count, values);
    }

    @Override
    Object[] contents() {
        Object[] contents = new Object[sorted.length];
        for (int i = 0; i < contents.length; i++) {
            contents[i] = values(i);
        }
        return contents;
    }
}
