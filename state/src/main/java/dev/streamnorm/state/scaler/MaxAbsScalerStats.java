package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code MaxAbsScaler}'s {@code max_abs_} per feature; fitted {@code scale_} is {@code max_abs_}, 1
 * where that is below 10·eps.
 *
 * <p>Forgetting with weight m (online mode): {@code max_abs_ = max(|x|, (1 − m)·max_abs_)}.
 */
public final class MaxAbsScalerStats extends ScalerStats {
    private final double[] maxAbs;

    MaxAbsScalerStats(int features) {
        checkArgument(features > 0, "features must be positive, got %s", features);
        this.maxAbs = new double[features];
    }

    /**
     * Statistics of {@code count} records with these maxima (copied).
     *
     * @throws IllegalArgumentException on a negative maximum
     */
    public static MaxAbsScalerStats of(long count, double[] maxAbs) {
        checkArgument(count >= 0, "n_samples_seen_ must not be negative, got %s", count);
        MaxAbsScalerStats stats = new MaxAbsScalerStats(maxAbs.length);
        for (int i = 0; i < maxAbs.length; i++) {
            checkArgument(maxAbs[i] >= 0, "max_abs_[%s] is negative: %s", i, maxAbs[i]);
        }
        System.arraycopy(maxAbs, 0, stats.maxAbs, 0, maxAbs.length);
        stats.count = count;
        return stats;
    }

    @Override
    public ScalerKind kind() {
        return ScalerKind.MAXABS;
    }

    @Override
    public int features() {
        return maxAbs.length;
    }

    public double maxAbs(int i) {
        return maxAbs[i];
    }

    @Override
    public void accept(double[] x) {
        checkFeatures(x);
        count++;
        for (int i = 0; i < x.length; i++) {
            maxAbs[i] = Math.max(maxAbs[i], Math.abs(x[i]));
        }
    }

    @Override
    public void acceptForgetting(double[] x, double m) {
        checkFeatures(x);
        count++;
        for (int i = 0; i < x.length; i++) {
            maxAbs[i] = Math.max(Math.abs(x[i]), (1 - m) * maxAbs[i]);
        }
    }

    private double[] scale() {
        double[] scale = new double[maxAbs.length];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = ZeroScale.orOne(maxAbs[i]);
        }
        return scale;
    }

    @Override
    public FittedScaler fit(ScalerParams params) {
        return FittedScaler.centerThenScale(null, scale());
    }

    @Override
    public Map<String, double[]> attributes(ScalerParams params) {
        Map<String, double[]> attributes = new LinkedHashMap<>();
        attributes.put("max_abs_", maxAbs.clone());
        attributes.put("scale_", scale());
        return attributes;
    }

    @Override
    public MaxAbsScalerStats copy() {
        return of(count, maxAbs);
    }

    @Override
    Object[] contents() {
        return new Object[] {maxAbs};
    }
}
