package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Objects;
import org.apache.commons.numbers.gamma.InverseErfc;

/**
 * The constructor parameters of the scikit-learn scalers, with scikit-learn's names and defaults:
 * {@code with_mean}, {@code with_std} (standard), {@code feature_range}, {@code clip} (min-max),
 * {@code with_centering}, {@code with_scaling}, {@code quantile_range}, {@code unit_variance}
 * (robust). Each scaler reads only its own.
 */
public final class ScalerParams implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final ScalerParams DEFAULTS =
            new ScalerParams(true, true, 0, 1, false, true, true, 25, 75, false);

    public final boolean withMean;
    public final boolean withStd;
    public final double rangeMin;
    public final double rangeMax;
    public final boolean clip;
    public final boolean withCentering;
    public final boolean withScaling;
    public final double quantileLow;
    public final double quantileHigh;
    public final boolean unitVariance;

    private ScalerParams(
            boolean withMean,
            boolean withStd,
            double rangeMin,
            double rangeMax,
            boolean clip,
            boolean withCentering,
            boolean withScaling,
            double quantileLow,
            double quantileHigh,
            boolean unitVariance) {
        this.withMean = withMean;
        this.withStd = withStd;
        this.rangeMin = rangeMin;
        this.rangeMax = rangeMax;
        this.clip = clip;
        this.withCentering = withCentering;
        this.withScaling = withScaling;
        this.quantileLow = quantileLow;
        this.quantileHigh = quantileHigh;
        this.unitVariance = unitVariance;
    }

    /** scikit-learn's defaults. */
    public static ScalerParams defaults() {
        return DEFAULTS;
    }

    /** These parameters with {@code with_mean} and {@code with_std}. */
    public ScalerParams withStandard(boolean mean, boolean std) {
        return new ScalerParams(
                mean,
                std,
                rangeMin,
                rangeMax,
                clip,
                withCentering,
                withScaling,
                quantileLow,
                quantileHigh,
                unitVariance);
    }

    /**
     * These parameters with {@code feature_range} and {@code clip}.
     *
     * @throws IllegalArgumentException unless min &lt; max, both finite
     */
    public ScalerParams withMinMax(double min, double max, boolean clipped) {
        checkArgument(
                Double.isFinite(min) && Double.isFinite(max) && min < max,
                "feature range must be MIN,MAX with MIN < MAX, got %s,%s",
                min,
                max);
        return new ScalerParams(
                withMean,
                withStd,
                min,
                max,
                clipped,
                withCentering,
                withScaling,
                quantileLow,
                quantileHigh,
                unitVariance);
    }

    /**
     * These parameters with {@code with_centering}, {@code with_scaling}, {@code quantile_range}
     * and {@code unit_variance}.
     *
     * @throws IllegalArgumentException unless 0 &lt;= low &lt;= high &lt;= 100
     */
    public ScalerParams withRobust(
            boolean centering, boolean scaling, double low, double high, boolean unit) {
        checkArgument(
                0 <= low && low <= high && high <= 100,
                "quantile range must be Q1,Q3 with 0 <= Q1 <= Q3 <= 100, got %s,%s",
                low,
                high);
        checkArgument(
                !unit || (0 < low && high < 100 && low < high),
                "unit variance needs 0 < Q1 < Q3 < 100, got %s,%s",
                low,
                high);
        return new ScalerParams(
                withMean, withStd, rangeMin, rangeMax, clip, centering, scaling, low, high, unit);
    }

    /**
     * The divisor of unit variance, {@code Φ⁻¹(Q3/100) − Φ⁻¹(Q1/100)} (scipy's {@code norm.ppf}):
     * the quantile range of a standard normal distribution.
     */
    public double normalQuantileRange() {
        return normalQuantile(quantileHigh / 100.0) - normalQuantile(quantileLow / 100.0);
    }

    /** {@code Φ⁻¹(p) = −√2·erfc⁻¹(2p)}. */
    static double normalQuantile(double p) {
        return -Math.sqrt(2) * InverseErfc.value(2 * p);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ScalerParams)) {
            return false;
        }
        ScalerParams p = (ScalerParams) o;
        return withMean == p.withMean
                && withStd == p.withStd
                && rangeMin == p.rangeMin
                && rangeMax == p.rangeMax
                && clip == p.clip
                && withCentering == p.withCentering
                && withScaling == p.withScaling
                && quantileLow == p.quantileLow
                && quantileHigh == p.quantileHigh
                && unitVariance == p.unitVariance;
    }

    @Override
    public int hashCode() {
        return Objects.hash(withMean, withStd, rangeMin, rangeMax, clip, quantileLow, quantileHigh);
    }
}
