package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import javax.annotation.Nullable;
import org.apache.flink.metrics.Counter;

/**
 * Global scope's one set of running statistics, and how each merged batch advances it:
 *
 * <ul>
 *   <li>train: the batch is normalized with its mean and biased variance (or, for a batch of one
 *       value per channel, with the unchanged running stats); the running stats follow the update
 *       policy;
 *   <li>online: exponentially weighted statistics updated once per batch with weight m, as the
 *       mixture of the previous distribution (1 − m) and the batch (m): {@code d = μ_b − mean; mean
 *       += m·d; var = (1 − m)·(var + m·d²) + m·σ²_b}; the first batch sets them; the batch is
 *       normalized with the updated statistics.
 * </ul>
 */
final class GlobalRunningStats {
    private final Normalization config;
    private final RecordShape shape;
    private final Counter batches;
    private final Counter singleValueBatches;
    // None in online mode before the first batch.
    @Nullable private RunningStats running;

    GlobalRunningStats(
            Normalization config, RecordShape shape, Counter batches, Counter singleValueBatches) {
        this.config = config;
        this.shape = shape;
        this.batches = batches;
        this.singleValueBatches = singleValueBatches;
        reset(null);
    }

    /** Starts again from {@code restored}, or none: the initial statistics of the mode. */
    void reset(@Nullable RunningStats restored) {
        running = restored;
        if (running == null && config.mode() == Mode.TRAIN) {
            running = initial();
        }
    }

    /** A copy of the running statistics; none in online mode before the first batch. */
    @Nullable
    RunningStats current() {
        return running == null ? null : running.copy();
    }

    /** A copy of the running statistics, or the initial ones if there are none yet. */
    RunningStats currentOrInitial() {
        return running == null ? initial() : running.copy();
    }

    private RunningStats initial() {
        return config.initialStats()
                .lookup(StatsTable.ANY_KEY)
                .orElseGet(() -> RunningStats.initial(shape.channels()));
    }

    /** Folds one merged batch in; returns the statistics that normalize it. */
    RunningStats close(ChannelMoments batch) {
        if (config.mode() == Mode.ONLINE) {
            running = exponentiallyWeighted(running, batch, config.momentum().value());
            batches.inc();
            return running.copy();
        }
        if (batch.minCount() < 2) {
            singleValueBatches.inc();
            return running.copy();
        }
        RunningStats normalizeWith = batchStatistics(batch);
        config.updatePolicy().update(running, batch);
        batches.inc();
        return normalizeWith;
    }

    /** The batch's mean and biased variance, in the shape of running stats. */
    private static RunningStats batchStatistics(ChannelMoments batch) {
        int channels = batch.channels();
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = batch.mean(c);
            variance[c] = batch.biasedVariance(c);
        }
        return RunningStats.of(mean, variance, 0);
    }

    /** Online mode: the mixture of the previous statistics (1 − m) and the batch (m). */
    static RunningStats exponentiallyWeighted(
            @Nullable RunningStats previous, ChannelMoments batch, double m) {
        int channels = batch.channels();
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        for (int c = 0; c < channels; c++) {
            double batchVariance = batch.biasedVariance(c);
            if (previous == null) {
                mean[c] = batch.mean(c);
                variance[c] = batchVariance;
            } else {
                double d = batch.mean(c) - previous.mean(c);
                mean[c] = previous.mean(c) + m * d;
                variance[c] = (1 - m) * (previous.variance(c) + m * d * d) + m * batchVariance;
            }
        }
        long batches = previous == null ? 1 : previous.numBatchesTracked() + 1;
        return RunningStats.of(mean, variance, batches);
    }
}
