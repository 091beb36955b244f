package dev.streamnorm.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** {@link BatchNorm}'s train and eval steps with {@link ChannelNormalizer}. */
class BatchNormTest {
    private static final RecordShape ONE_CHANNEL = RecordShape.vector(1);

    @Test
    void trainNormalizesWithBatchMeanAndBiasedVarianceThenUpdatesOnce() {
        BatchNorm bn =
                new BatchNorm(
                        ONE_CHANNEL,
                        0.0,
                        Affine.of(new double[] {2.0}, new double[] {1.0}),
                        UpdatePolicy.pytorch(0.1));
        double[][] records = {{1}, {3}, {5}, {7}};
        ChannelMoments batch = new ChannelMoments(1);
        for (double[] r : records) {
            batch.acceptRecord(r, ONE_CHANNEL);
        }
        RunningStats stats = RunningStats.initial(1);
        ChannelNormalizer normalizer = bn.newNormalizer();

        assertThat(bn.closeBatch(batch, stats, normalizer)).isTrue();

        double[] out = new double[1];
        double[] expected = {-3, -1, 1, 3};
        for (int i = 0; i < 4; i++) {
            normalizer.apply(records[i], out);
            // (x - 4) / sqrt(5) * 2 + 1
            assertThat(out[0]).isCloseTo(expected[i] / Math.sqrt(5) * 2 + 1, within(1e-15));
        }
        assertThat(stats.mean(0)).isCloseTo(0.4, within(1e-16));
        assertThat(stats.variance(0)).isCloseTo(0.9 + 0.1 * 20 / 3, within(1e-15));
        assertThat(stats.numBatchesTracked()).isEqualTo(1);
    }

    @Test
    void batchOfOneValueIsNormalizedWithRunningStatsWhichStayUnchanged() {
        BatchNorm bn =
                new BatchNorm(ONE_CHANNEL, 0.0, Affine.identity(), UpdatePolicy.cumulative());
        RunningStats stats = RunningStats.of(new double[] {0.5}, new double[] {4.0}, 3);
        ChannelMoments batch = new ChannelMoments(1);
        batch.acceptRecord(new double[] {6.5}, ONE_CHANNEL);
        ChannelNormalizer normalizer = bn.newNormalizer();

        assertThat(bn.closeBatch(batch, stats, normalizer)).isFalse();

        double[] out = new double[1];
        normalizer.apply(new double[] {6.5}, out);
        assertThat(out[0]).isEqualTo(3.0); // (6.5 - 0.5) / 2
        assertThat(stats).isEqualTo(RunningStats.of(new double[] {0.5}, new double[] {4.0}, 3));
    }

    @Test
    void oneRecordWithSeveralPositionsIsABatch() {
        RecordShape shape = RecordShape.of(2, 4);
        BatchNorm bn = new BatchNorm(shape, 1e-5, Affine.identity(), UpdatePolicy.cumulative());
        ChannelMoments batch = new ChannelMoments(2);
        batch.acceptRecord(new double[] {1, 2, 3, 4, 10, 10, 10, 10}, shape);
        RunningStats stats = RunningStats.initial(2);
        ChannelNormalizer normalizer = bn.newNormalizer();

        assertThat(bn.closeBatch(batch, stats, normalizer)).isTrue();
        assertThat(stats.mean(0)).isEqualTo(2.5);
        assertThat(stats.variance(0)).isCloseTo(5.0 / 3, within(1e-15));
        assertThat(stats.mean(1)).isEqualTo(10.0);
        assertThat(stats.variance(1)).isEqualTo(0.0);

        double[] out = new double[8];
        normalizer.apply(new double[] {1, 2, 3, 4, 10, 10, 10, 10}, out);
        double inverseStd = 1 / Math.sqrt(1.25 + 1e-5);
        assertThat(out[0]).isCloseTo(-1.5 * inverseStd, within(1e-15));
        assertThat(out[3]).isCloseTo(1.5 * inverseStd, within(1e-15));
        assertThat(out[4]).isEqualTo(0.0);
    }

    @Test
    void evalUsesRunningStatsAndNeverChangesThem() {
        RecordShape shape = RecordShape.vector(2);
        BatchNorm bn =
                new BatchNorm(
                        shape,
                        0.0,
                        Affine.of(new double[] {1, 3}, new double[] {0.5, -1}),
                        UpdatePolicy.pytorch(0.1));
        RunningStats stats = RunningStats.of(new double[] {1, -2}, new double[] {4, 0.25}, 9);
        RunningStats before = stats.copy();
        ChannelNormalizer normalizer = bn.newNormalizer();
        bn.useRunningStats(stats, normalizer);

        double[] out = new double[2];
        normalizer.apply(new double[] {5, -1}, out);
        assertThat(out).containsExactly((5 - 1) / 2.0 + 0.5, (-1 + 2) / 0.5 * 3 - 1);
        assertThat(stats).isEqualTo(before);
    }

    @Test
    void applyMayWorkInPlace() {
        RecordShape shape = RecordShape.of(1, 2);
        ChannelNormalizer normalizer = new ChannelNormalizer(shape, 0.0, Affine.identity());
        normalizer.useRunningStats(RunningStats.of(new double[] {1}, new double[] {16}, 0));
        double[] values = {5, -3};
        normalizer.apply(values, values);
        assertThat(values).containsExactly(1.0, -1.0);
    }

    @Test
    void applyReadsARecordAtAnOffsetOfALargerArray() {
        RecordShape shape = RecordShape.of(1, 2);
        ChannelNormalizer normalizer = new ChannelNormalizer(shape, 0.0, Affine.identity());
        normalizer.useRunningStats(RunningStats.of(new double[] {1}, new double[] {16}, 0));
        double[] records = {9, 9, 5, -3, 7};
        double[] out = new double[2];
        normalizer.apply(records, 2, out);
        assertThat(out).containsExactly(1.0, -1.0);
        assertThatThrownBy(() -> normalizer.apply(records, 4, out))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidConfigurationIsRejected() {
        RecordShape shape = RecordShape.vector(3);
        UpdatePolicy policy = UpdatePolicy.pytorch(0.1);
        assertThatThrownBy(() -> new BatchNorm(shape, -1e-5, Affine.identity(), policy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("eps must be >= 0, got -1.0E-5");
        assertThatThrownBy(() -> new BatchNorm(shape, Double.NaN, Affine.identity(), policy))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                new BatchNorm(
                                        shape, 1e-5, Affine.of(new double[] {1, 2}, null), policy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("affine has 2 entries, expected one per channel (3)");
        ChannelNormalizer normalizer =
                new BatchNorm(shape, 1e-5, Affine.identity(), policy).newNormalizer();
        assertThatThrownBy(() -> normalizer.useRunningStats(RunningStats.initial(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("statistics have 2 channels, records have 3");
    }
}
