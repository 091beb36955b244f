package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import javax.annotation.Nullable;

/**
 * Running statistics of PyTorch's {@code InstanceNorm1d(track_running_stats=True)}.
 *
 * <p>Training normalizes every record with its own per-channel statistics and then moves the
 * running stats towards the batch's average instance mean and average unbiased instance variance
 * (PyTorch's {@code instance_norm}: batch norm over the reshaped {@code (1, N·C, L)} input with
 * repeated running stats, averaged over N). With {@code momentum == null} the running stats never
 * change, and {@code num_batches_tracked} is never incremented, as in PyTorch. Eval normalizes with
 * the running stats.
 *
 * <p>Part of the numeric library; the streaming operators use the stateless instance norm.
 */
public final class InstanceNormRunningStats {
    private final RecordShape shape;
    private final SegmentNorm perRecord;
    private final ChannelNormalizer eval;
    @Nullable private final Double momentum;

    /**
     * Instance norm for records of {@code shape} (L ≥ 2) with optional momentum.
     *
     * @param momentum the weight of a new batch, or null for running stats that never change
     */
    public InstanceNormRunningStats(
            RecordShape shape, double eps, Affine affine, @Nullable Double momentum) {
        checkArgument(
                momentum == null || (momentum >= 0 && momentum <= 1),
                "momentum must be in [0, 1], got %s",
                momentum);
        this.shape = shape;
        this.perRecord = SegmentNorm.instance(shape, eps, affine);
        this.eval = new ChannelNormalizer(shape, eps, affine);
        this.momentum = momentum;
    }

    /**
     * Normalizes {@code records} (in place into {@code out}) with their own statistics and updates
     * {@code stats} with the batch's averaged instance statistics.
     */
    public void train(double[][] records, double[][] out, RunningStats stats) {
        checkArgument(records.length > 0, "a training batch needs at least one record");
        int channels = shape.channels();
        double[] meanSum = new double[channels];
        double[] varianceSum = new double[channels];
        ChannelMoments instance = new ChannelMoments(channels);
        for (int r = 0; r < records.length; r++) {
            instance.reset();
            instance.acceptRecord(records[r], shape);
            for (int c = 0; c < channels; c++) {
                meanSum[c] += instance.mean(c);
                varianceSum[c] += instance.unbiasedVariance(c);
            }
            perRecord.apply(records[r], out[r]);
        }
        if (momentum == null) {
            return;
        }
        double take = momentum;
        double keep = 1.0 - take;
        for (int c = 0; c < channels; c++) {
            stats.blend(
                    c, keep, take, meanSum[c] / records.length, varianceSum[c] / records.length);
        }
    }

    /** Normalizes {@code record} into {@code out} with the running stats. */
    public void eval(double[] record, double[] out, RunningStats stats) {
        eval.useRunningStats(stats).apply(record, out);
    }
}
