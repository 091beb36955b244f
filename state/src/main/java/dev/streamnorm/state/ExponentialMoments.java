package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.state.typeutils.ExponentialMomentsTypeInfoFactory;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Exponentially weighted mean and variance of every value of a record: the state of online mode
 * (River's {@code AdaptiveStandardScaler}).
 *
 * <p>Update with weight α on the new record, in the numerically stable form of West (1979) and
 * Finch (2009): {@code d = x − mean; mean += α·d; var = (1 − α)·(var + α·d²)}. The first record
 * sets {@code mean = x, var = 0}. Unlike River, a mean of exactly 0 is not taken for "empty".
 */
@TypeInfo(ExponentialMomentsTypeInfoFactory.class)
public final class ExponentialMoments {
    private long count;
    private final double[] mean;
    private final double[] variance;

    /** Empty moments for records of {@code size} values. */
    public ExponentialMoments(int size) {
        checkArgument(size > 0, "size must be positive, got %s", size);
        this.mean = new double[size];
        this.variance = new double[size];
    }

    /**
     * Moments with the given values (taken as they are, not copied).
     *
     * @throws IllegalArgumentException if the lengths differ or a value is out of range
     */
    public static ExponentialMoments of(long count, double[] mean, double[] variance) {
        checkArgument(count >= 0, "count must not be negative, got %s", count);
        checkArgument(
                mean.length == variance.length && mean.length > 0,
                "mean and variance must have the same positive length, got %s and %s",
                mean.length,
                variance.length);
        for (double v : variance) {
            checkArgument(v >= 0, "variance must not be negative, got %s", v);
        }
        return new ExponentialMoments(count, mean, variance);
    }

    private ExponentialMoments(long count, double[] mean, double[] variance) {
        this.count = count;
        this.mean = mean;
        this.variance = variance;
    }

    /** Folds one record in with weight {@code alpha} ∈ (0, 1] on the new values. */
    public void update(double[] x, double alpha) {
        checkArgument(alpha > 0 && alpha <= 1, "alpha must be in (0, 1], got %s", alpha);
        if (count++ == 0) {
            System.arraycopy(x, 0, mean, 0, mean.length);
            Arrays.fill(variance, 0.0);
            return;
        }
        double keep = 1.0 - alpha;
        for (int i = 0; i < mean.length; i++) {
            double d = x[i] - mean[i];
            mean[i] += alpha * d;
            variance[i] = keep * (variance[i] + alpha * d * d);
        }
    }

    /**
     * Standardizes {@code x} into {@code out}: {@code (x − mean) / sqrt(var + eps)}, and 0 where
     * {@code var + eps} is 0 (River's {@code safe_div}); 0 everywhere before the first update.
     */
    public void standardize(double[] x, double[] out, double eps) {
        if (count == 0) {
            Arrays.fill(out, 0, mean.length, 0.0);
            return;
        }
        for (int i = 0; i < mean.length; i++) {
            out[i] = (x[i] - mean[i]) * ChannelNormalizer.inverseStd(variance[i], eps);
        }
    }

    /** Number of records folded in. */
    public long count() {
        return count;
    }

    /** Number of values per record. */
    public int size() {
        return mean.length;
    }

    /** Weighted mean of value {@code i}. */
    public double mean(int i) {
        return mean[i];
    }

    /** Weighted variance of value {@code i}; never negative. */
    public double variance(int i) {
        return variance[i];
    }

    /** A deep copy. */
    public ExponentialMoments copy() {
        return new ExponentialMoments(count, mean.clone(), variance.clone());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ExponentialMoments)) {
            return false;
        }
        ExponentialMoments that = (ExponentialMoments) o;
        return count == that.count
                && Arrays.equals(mean, that.mean)
                && Arrays.equals(variance, that.variance);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(count) + Arrays.hashCode(mean)) + Arrays.hashCode(variance);
    }

    @Override
    public String toString() {
        return "ExponentialMoments{count="
                + count
                + ", mean="
                + Arrays.toString(mean)
                + ", variance="
                + Arrays.toString(variance)
                + '}';
    }
}
