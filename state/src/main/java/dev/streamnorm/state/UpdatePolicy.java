package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * How a batch's statistics are folded into {@link RunningStats}: PyTorch momentum, PyTorch's
 * cumulative average ({@code momentum=None}) or the Keras convention.
 *
 * <p>Every policy counts the batch in {@code num_batches_tracked}. Batches with fewer than two
 * values per channel have no variance and must not be folded in (see {@link #update(RunningStats,
 * ChannelMoments)}).
 */
public abstract class UpdatePolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    UpdatePolicy() {}

    /**
     * PyTorch {@code BatchNorm(momentum=m)}: {@code running = (1 − m) · running + m · batch}, with
     * the unbiased batch variance.
     */
    public static UpdatePolicy pytorch(double momentum) {
        checkArgument(
                momentum > 0 && momentum <= 1,
                "momentum must be in (0, 1] or 'cumulative', got %s",
                momentum);
        return new PyTorchMomentum(momentum);
    }

    /**
     * PyTorch {@code BatchNorm(momentum=None)}: a cumulative average, {@code m = 1 /
     * num_batches_tracked} after the counter is incremented, with the unbiased batch variance.
     */
    public static UpdatePolicy cumulative() {
        return CumulativeAverage.INSTANCE;
    }

    /**
     * Keras {@code BatchNormalization(momentum=decay)}: {@code moving = moving · decay + batch · (1
     * − decay)}, with the biased batch variance.
     */
    public static UpdatePolicy keras(double decay) {
        checkArgument(decay >= 0 && decay < 1, "keras momentum must be in [0, 1), got %s", decay);
        return new KerasDecay(decay);
    }

    /**
     * Folds one batch into {@code stats} and counts it.
     *
     * @throws IllegalArgumentException if the batch has fewer than two values in a channel or a
     *     different number of channels
     */
    public final void update(RunningStats stats, ChannelMoments batch) {
        checkArgument(
                batch.channels() == stats.channels(),
                "batch has %s channels, running stats have %s",
                batch.channels(),
                stats.channels());
        checkArgument(
                batch.minCount() >= 2,
                "a batch needs at least two values per channel to have a variance, got %s",
                batch.minCount());
        long numBatchesTracked = stats.countBatch();
        double take = weightOfBatch(numBatchesTracked);
        double keep = weightOfRunning(numBatchesTracked);
        for (int c = 0; c < stats.channels(); c++) {
            stats.blend(c, keep, take, batch.mean(c), batchVariance(batch, c));
        }
    }

    /** The weight of the new batch, given the batch counter after this batch. */
    abstract double weightOfBatch(long numBatchesTracked);

    /** The weight kept by the running stats; {@code 1 − weightOfBatch} unless a policy says. */
    double weightOfRunning(long numBatchesTracked) {
        return 1.0 - weightOfBatch(numBatchesTracked);
    }

    /** The batch variance that is folded in. */
    abstract double batchVariance(ChannelMoments batch, int channel);

    private static final class PyTorchMomentum extends UpdatePolicy {
        private static final long serialVersionUID = 1L;
        private final double momentum;

        PyTorchMomentum(double momentum) {
            this.momentum = momentum;
        }

        @Override
        double weightOfBatch(long numBatchesTracked) {
            return momentum;
        }

        @Override
        double batchVariance(ChannelMoments batch, int channel) {
            return batch.unbiasedVariance(channel);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PyTorchMomentum && ((PyTorchMomentum) o).momentum == momentum;
        }

        @Override
        public int hashCode() {
            return Double.hashCode(momentum);
        }

        @Override
        public String toString() {
            return "pytorch(momentum=" + momentum + ")";
        }
    }

    private static final class CumulativeAverage extends UpdatePolicy {
        private static final long serialVersionUID = 1L;
        static final CumulativeAverage INSTANCE = new CumulativeAverage();

        @Override
        double weightOfBatch(long numBatchesTracked) {
            return 1.0 / numBatchesTracked;
        }

        @Override
        double batchVariance(ChannelMoments batch, int channel) {
            return batch.unbiasedVariance(channel);
        }

        private Object readResolve() {
            return INSTANCE;
        }

        @Override
        public String toString() {
            return "pytorch(momentum=cumulative)";
        }
    }

    private static final class KerasDecay extends UpdatePolicy {
        private static final long serialVersionUID = 1L;
        private final double decay;

        KerasDecay(double decay) {
            this.decay = decay;
        }

        @Override
        double weightOfBatch(long numBatchesTracked) {
            return 1.0 - decay;
        }

        @Override
        double weightOfRunning(long numBatchesTracked) {
            return decay;
        }

        @Override
        double batchVariance(ChannelMoments batch, int channel) {
            return batch.biasedVariance(channel);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KerasDecay && ((KerasDecay) o).decay == decay;
        }

        @Override
        public int hashCode() {
            return Double.hashCode(decay);
        }

        @Override
        public String toString() {
            return "keras(momentum=" + decay + ")";
        }
    }
}
