package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;

/** What the eval-mode functions share: normalizers over frozen stats and the no-stats letter. */
final class FrozenStats {
    private FrozenStats() {}

    /** A normalizer with {@code stats}, for the configured shape (else one of C = channels). */
    static ChannelNormalizer normalizer(Normalization config, RunningStats stats) {
        RecordShape shape =
                config.shape() != null ? config.shape() : RecordShape.vector(stats.channels());
        return config.batchNorm(shape).newNormalizer().useRunningStats(stats);
    }

    /**
     * The dead letter of a record whose key has no stats and no {@code *} entry to fall back to.
     */
    static DeadLetter noStats(FeatureRecord record, String key) {
        return DeadLetter.of(
                record,
                ErrorCode.NO_STATS,
                "no statistics for key '" + key + "' and no '" + StatsTable.ANY_KEY + "' entry");
    }
}
