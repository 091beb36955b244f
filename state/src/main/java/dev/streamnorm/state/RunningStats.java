package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Running mean and variance per channel with a batch counter: the state of a BatchNorm layer
 * ({@code running_mean}, {@code running_var}, {@code num_batches_tracked} in PyTorch).
 *
 * <p>A new instance starts as PyTorch does: mean 0, variance 1, no batch tracked. The arrays are
 * updated in place by an {@link UpdatePolicy}.
 */
@TypeInfo(RunningStatsTypeInfoFactory.class)
public final class RunningStats {
    private final double[] mean;
    private final double[] variance;
    private long numBatchesTracked;

    /** PyTorch's initial state for {@code channels} channels: mean 0, variance 1, counter 0. */
    public static RunningStats initial(int channels) {
        checkArgument(channels > 0, "channels must be positive, got %s", channels);
        double[] variance = new double[channels];
        Arrays.fill(variance, 1.0);
        return new RunningStats(new double[channels], variance, 0L);
    }

    /**
     * Running stats with the given values (taken as they are, not copied).
     *
     * @throws IllegalArgumentException if the lengths differ, a value is not finite, a variance is
     *     negative or the counter is negative
     */
    public static RunningStats of(double[] mean, double[] variance, long numBatchesTracked) {
        checkArgument(
                mean.length == variance.length && mean.length > 0,
                "running mean and variance must have the same positive length, got %s and %s",
                mean.length,
                variance.length);
        checkArgument(
                numBatchesTracked >= 0,
                "num_batches_tracked must not be negative, got %s",
                numBatchesTracked);
        for (int c = 0; c < mean.length; c++) {
            // Tested before any message is built: this runs for every restored value.
            if (!Double.isFinite(mean[c]) || !Double.isFinite(variance[c]) || variance[c] < 0) {
                throw new IllegalArgumentException(
                        "running mean and variance of channel "
                                + c
                                + " must be finite and the variance >= 0, got "
                                + mean[c]
                                + " and "
                                + variance[c]);
            }
        }
        return new RunningStats(mean, variance, numBatchesTracked);
    }

    private RunningStats(double[] mean, double[] variance, long numBatchesTracked) {
        this.mean = mean;
        this.variance = variance;
        this.numBatchesTracked = numBatchesTracked;
    }

    /** Number of channels. */
    public int channels() {
        return mean.length;
    }

    /** Running mean of {@code channel}. */
    public double mean(int channel) {
        return mean[channel];
    }

    /** Running variance of {@code channel}. */
    public double variance(int channel) {
        return variance[channel];
    }

    /** Number of batches folded in so far. */
    public long numBatchesTracked() {
        return numBatchesTracked;
    }

    /** A copy of the running means. */
    public double[] meanArray() {
        return mean.clone();
    }

    /** A copy of the running variances. */
    public double[] varianceArray() {
        return variance.clone();
    }

    /** A deep copy. */
    public RunningStats copy() {
        return new RunningStats(mean.clone(), variance.clone(), numBatchesTracked);
    }

    /**
     * Moves channel {@code c} towards a batch's statistics: {@code stat = keep · stat + take ·
     * batch}. Only update policies call this.
     */
    void blend(int c, double keep, double take, double batchMean, double batchVariance) {
        mean[c] = keep * mean[c] + take * batchMean;
        variance[c] = keep * variance[c] + take * batchVariance;
    }

    /** Counts one more batch and returns the new count. Only update policies call this. */
    long countBatch() {
        return ++numBatchesTracked;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RunningStats)) {
            return false;
        }
        RunningStats that = (RunningStats) o;
        return numBatchesTracked == that.numBatchesTracked
                && Arrays.equals(mean, that.mean)
                && Arrays.equals(variance, that.variance);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(mean) + Arrays.hashCode(variance))
                + Long.hashCode(numBatchesTracked);
    }

    @Override
    public String toString() {
        return "RunningStats{mean="
                + Arrays.toString(mean)
                + ", variance="
                + Arrays.toString(variance)
                + ", numBatchesTracked="
                + numBatchesTracked
                + '}';
    }
}
