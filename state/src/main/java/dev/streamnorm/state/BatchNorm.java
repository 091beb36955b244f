package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;

/**
 * One BatchNorm layer's configuration and its train/eval steps, on {@link ChannelMoments} of a
 * batch and {@link RunningStats}.
 *
 * <p>Train: {@link #closeBatch} prepares a normalizer with the batch mean and biased variance and
 * folds the batch into the running stats once. A batch with a single value per channel (n = 1) has
 * no variance: it is normalized with the running stats, which stay unchanged. Eval: {@link
 * #useRunningStats} prepares a normalizer with the frozen running stats.
 *
 * <pre>{@code
 * BatchNorm bn = new BatchNorm(RecordShape.vector(3), 1e-5, Affine.identity(), UpdatePolicy.pytorch(0.1));
 * ChannelNormalizer normalizer = bn.newNormalizer();
 * ChannelMoments batch = new ChannelMoments(3);
 * for (double[] r : records) batch.acceptRecord(r, bn.shape());
 * bn.closeBatch(batch, stats, normalizer);
 * for (double[] r : records) normalizer.apply(r, r);
 * }</pre>
 */
public final class BatchNorm implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RecordShape shape;
    private final double eps;
    private final Affine affine;
    private final UpdatePolicy policy;

    /**
     * A layer for records of {@code shape}.
     *
     * @throws IllegalArgumentException if eps is negative or the affine transform is not per
     *     channel
     */
    public BatchNorm(RecordShape shape, double eps, Affine affine, UpdatePolicy policy) {
        this.shape = checkNotNull(shape);
        this.eps = eps;
        this.affine = checkNotNull(affine);
        this.policy = checkNotNull(policy);
        checkArgument(eps >= 0 && Double.isFinite(eps), "eps must be >= 0, got %s", eps);
        checkArgument(
                affine.fits(shape.channels()),
                "affine has %s entries, expected one per channel (%s)",
                affine.length(),
                shape.channels());
    }

    /** A fresh, reusable normalizer for this layer (one per operator instance). */
    public ChannelNormalizer newNormalizer() {
        return new ChannelNormalizer(shape, eps, affine);
    }

    /**
     * Ends a training batch: sets {@code normalizer} to the batch statistics and folds them into
     * {@code stats}, or, for a batch of a single value per channel, sets it to the running stats
     * and leaves them unchanged.
     *
     * @return whether the running stats were updated
     */
    public boolean closeBatch(
            ChannelMoments batch, RunningStats stats, ChannelNormalizer normalizer) {
        if (batch.minCount() < 2) {
            normalizer.useRunningStats(stats);
            return false;
        }
        normalizer.useBatch(batch);
        policy.update(stats, batch);
        return true;
    }

    /** Sets {@code normalizer} to the frozen running stats (eval mode). */
    public void useRunningStats(RunningStats stats, ChannelNormalizer normalizer) {
        normalizer.useRunningStats(stats);
    }

    /** The record shape. */
    public RecordShape shape() {
        return shape;
    }

    /** The eps added to the variance. */
    public double eps() {
        return eps;
    }

    /** The affine transform, per channel. */
    public Affine affine() {
        return affine;
    }

    /** How batches update the running stats. */
    public UpdatePolicy policy() {
        return policy;
    }
}
