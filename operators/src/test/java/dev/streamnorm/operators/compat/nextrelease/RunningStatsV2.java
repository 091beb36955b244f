package dev.streamnorm.operators.compat.nextrelease;

/**
 * {@code RunningStats} as a next release could evolve it: the same running mean, variance and batch
 * counter, plus the time of the last update. Tests load it under the name {@code
 * dev.streamnorm.state.RunningStats} (see {@code NextRelease}), as the next release would ship it.
 *
 * <p>Everything it uses is public: under the production name it lives in another class loader, so
 * package-private members of the production package are not accessible from it.
 */
public final class RunningStatsV2 {
    /** The update time of stats restored from format v1, which did not record it. */
    public static final long UNKNOWN_UPDATE_TIME = -1L;

    private final double[] mean;
    private final double[] variance;
    private final long numBatchesTracked;
    private final long lastUpdatedMillis;

    public RunningStatsV2(
            double[] mean, double[] variance, long numBatchesTracked, long lastUpdatedMillis) {
        this.mean = mean;
        this.variance = variance;
        this.numBatchesTracked = numBatchesTracked;
        this.lastUpdatedMillis = lastUpdatedMillis;
    }

    public int channels() {
        return mean.length;
    }

    public double[] mean() {
        return mean;
    }

    public double[] variance() {
        return variance;
    }

    public long numBatchesTracked() {
        return numBatchesTracked;
    }

    /** Epoch milliseconds of the last update, or {@link #UNKNOWN_UPDATE_TIME}. */
    public long lastUpdatedMillis() {
        return lastUpdatedMillis;
    }

    /** A deep copy. */
    public RunningStatsV2 copy() {
        return new RunningStatsV2(
                mean.clone(), variance.clone(), numBatchesTracked, lastUpdatedMillis);
    }
}
