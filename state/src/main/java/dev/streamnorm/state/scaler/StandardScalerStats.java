package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code StandardScaler}'s {@code mean_} and population {@code var_} per feature.
 *
 * <p>Accepting a record is Welford's update of the mean and the population variance, {@code d = x −
 * mean; mean += d/n; var += (d·(x − mean) − var)/n}: stable where {@code E[x²] − E[x]²} cancels
 * catastrophically. Forgetting (online mode) replaces 1/n by the weight m (West 1979): {@code mean
 * += m·d; var = (1 − m)·(var + m·d²)}, the exponentially weighted mean and variance of batch norm's
 * online mode. The first record gives mean x and variance 0 either way.
 */
public final class StandardScalerStats extends ScalerStats {
    private final double[] mean;
    private final double[] meanError;
    private final double[] var;

    StandardScalerStats(int features) {
        checkArgument(features > 0, "features must be positive, got %s", features);
        this.mean = new double[features];
        this.meanError = new double[features];
        this.var = new double[features];
    }

    /**
     * Statistics of {@code count} records with these means and population variances (copied).
     *
     * @throws IllegalArgumentException on lengths that differ, a negative variance or count
     */
    public static StandardScalerStats of(long count, double[] mean, double[] var) {
        return of(count, mean, new double[mean.length], var);
    }

    /**
     * Statistics of {@code count} records with these means, the rounding errors of the means
     * ({@link #meanError}) and population variances (copied).
     *
     * @throws IllegalArgumentException on lengths that differ, a negative variance or count
     */
    public static StandardScalerStats of(
            long count, double[] mean, double[] meanError, double[] var) {
        checkArgument(count >= 0, "n_samples_seen_ must not be negative, got %s", count);
        checkArgument(
                meanError.length == mean.length,
                "mean_ has %s values, its errors %s",
                mean.length,
                meanError.length);
        checkArgument(
                mean.length == var.length, "mean_ has %s values, var_ %s", mean.length, var.length);
        StandardScalerStats stats = new StandardScalerStats(mean.length);
        for (int i = 0; i < var.length; i++) {
            checkArgument(var[i] >= 0, "var_[%s] is negative: %s", i, var[i]);
        }
        System.arraycopy(mean, 0, stats.mean, 0, mean.length);
        System.arraycopy(meanError, 0, stats.meanError, 0, mean.length);
        System.arraycopy(var, 0, stats.var, 0, var.length);
        stats.count = count;
        return stats;
    }

    @Override
    public ScalerKind kind() {
        return ScalerKind.STANDARD;
    }

    @Override
    public int features() {
        return mean.length;
    }

    /** {@code mean_[i]}. */
    public double mean(int i) {
        return mean[i];
    }

    /** The rounding error of {@code mean_[i]}: the mean is {@code mean_[i] + meanError(i)}. */
    public double meanError(int i) {
        return meanError[i];
    }

    /** {@code var_[i]}, the population variance. */
    public double variance(int i) {
        return var[i];
    }

    @Override
    public void accept(double[] x) {
        checkFeatures(x);
        count++;
        double n = count;
        for (int i = 0; i < x.length; i++) {
            double d = (x[i] - mean[i]) - meanError[i];
            addToMean(i, d / n);
            var[i] += (d * ((x[i] - mean[i]) - meanError[i]) - var[i]) / n;
        }
    }

    /** {@code mean[i] + meanError[i] += delta} in double-double arithmetic (two-sum). */
    private void addToMean(int i, double delta) {
        double sum = mean[i] + delta;
        double virtual = sum - mean[i];
        double error = (mean[i] - (sum - virtual)) + (delta - virtual);
        double low = meanError[i] + error;
        mean[i] = sum + low;
        meanError[i] = low - (mean[i] - sum);
    }

    @Override
    public void acceptForgetting(double[] x, double m) {
        if (count == 0) {
            accept(x);
            return;
        }
        checkFeatures(x);
        count++;
        for (int i = 0; i < x.length; i++) {
            double d = (x[i] - mean[i]) - meanError[i];
            addToMean(i, m * d);
            var[i] = (1 - m) * (var[i] + m * d * d);
        }
    }

    /** {@code scale_[i]}: {@code sqrt(var_)}, 1 for a constant feature. */
    public double scale(int i) {
        return ZeroScale.standard(var[i], mean[i], count);
    }

    @Override
    public FittedScaler fit(ScalerParams params) {
        double[] scale = null;
        if (params.withStd) {
            scale = new double[mean.length];
            for (int i = 0; i < scale.length; i++) {
                scale[i] = scale(i);
            }
        }
        return FittedScaler.centerThenScale(params.withMean ? mean.clone() : null, scale);
    }

    @Override
    public Map<String, double[]> attributes(ScalerParams params) {
        Map<String, double[]> attributes = new LinkedHashMap<>();
        attributes.put("mean_", mean.clone());
        attributes.put("var_", var.clone());
        if (params.withStd) {
            double[] scale = new double[mean.length];
            for (int i = 0; i < scale.length; i++) {
                scale[i] = scale(i);
            }
            attributes.put("scale_", scale);
        }
        return attributes;
    }

    @Override
    public StandardScalerStats copy() {
        return of(count, mean, meanError, var);
    }

    @Override
    Object[] contents() {
        return new Object[] {mean, meanError, var};
    }
}
