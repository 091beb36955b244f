package dev.streamnorm.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link UpdatePolicy} against hand-computed numbers.
 *
 * <p>The first batch has channel 0 = {1, 3, 5, 7} (mean 4, M2 20, biased variance 5, unbiased 20/3)
 * and channel 1 = {-2, 2} (mean 0, M2 8, biased 4, unbiased 8); the second has channel 0 = {10, 12}
 * (mean 11, unbiased 2) and channel 1 = {3, 3} (mean 3, variance 0).
 */
class UpdatePolicyTest {
    private static final double EXACT = 0.0;
    private static final double ULPS = 1e-15;

    private static ChannelMoments firstBatch() {
        return batch(new double[] {1, 3, 5, 7}, new double[] {-2, 2});
    }

    private static ChannelMoments secondBatch() {
        return batch(new double[] {10, 12}, new double[] {3, 3});
    }

    private static ChannelMoments batch(double[]... channels) {
        ChannelMoments moments = new ChannelMoments(channels.length);
        for (int c = 0; c < channels.length; c++) {
            for (double x : channels[c]) {
                moments.accept(c, x);
            }
        }
        return moments;
    }

    @Test
    void pytorchMomentumQuarter() {
        RunningStats stats = RunningStats.initial(2);
        UpdatePolicy.pytorch(0.25).update(stats, firstBatch());
        // 0.75 * 0 + 0.25 * 4 ; 0.75 * 1 + 0.25 * 20/3 ; 0.75 * 1 + 0.25 * 8
        assertStats(stats, new double[] {1.0, 0.0}, new double[] {0.75 + 5.0 / 3, 2.75}, 1, ULPS);
    }

    @Test
    void pytorchDefaultMomentumOverTwoBatches() {
        RunningStats stats = RunningStats.initial(2);
        UpdatePolicy policy = UpdatePolicy.pytorch(0.1);
        policy.update(stats, firstBatch());
        // 0.9 * 0 + 0.1 * 4 ; 0.9 * 1 + 0.1 * 20/3 ; 0.9 * 1 + 0.1 * 8
        assertStats(stats, new double[] {0.4, 0.0}, new double[] {0.9 + 2.0 / 3, 1.7}, 1, ULPS);
        policy.update(stats, secondBatch());
        // 0.9 * 0.4 + 0.1 * 11 ; 0.9 * 1.5666.. + 0.1 * 2 ; 0.9 * 0 + 0.1 * 3 ; 0.9 * 1.7 + 0
        assertStats(stats, new double[] {1.46, 0.3}, new double[] {1.61, 1.53}, 2, ULPS);
    }

    @Test
    void pytorchMomentumOneReplacesTheRunningStats() {
        RunningStats stats = RunningStats.of(new double[] {9, 9}, new double[] {9, 9}, 3);
        UpdatePolicy.pytorch(1.0).update(stats, firstBatch());
        assertStats(stats, new double[] {4, 0}, new double[] {20.0 / 3, 8}, 4, EXACT);
    }

    @Test
    void cumulativeFirstBatchReplacesTheInitialStats() {
        RunningStats stats = RunningStats.initial(2);
        UpdatePolicy policy = UpdatePolicy.cumulative();
        policy.update(stats, firstBatch());
        assertStats(stats, new double[] {4, 0}, new double[] {20.0 / 3, 8}, 1, EXACT);
        policy.update(stats, secondBatch());
        // m = 1/2: (4 + 11) / 2 ; (20/3 + 2) / 2 = 13/3 ; (0 + 3) / 2 ; (8 + 0) / 2
        assertStats(stats, new double[] {7.5, 1.5}, new double[] {13.0 / 3, 4}, 2, ULPS);
    }

    @Test
    void cumulativeResumedAfterSevenBatchesWeighsNewBatchesOneEighthThenOneNinth() {
        RunningStats stats = RunningStats.of(new double[] {8}, new double[] {16}, 7);
        UpdatePolicy policy = UpdatePolicy.cumulative();

        policy.update(stats, batch(new double[] {0, 4})); // mean 2, unbiased 8
        // m = 1/8: 7/8 * 8 + 1/8 * 2 = 7.25 ; 7/8 * 16 + 1/8 * 8 = 15
        assertStats(stats, new double[] {7.25}, new double[] {15}, 8, EXACT);

        policy.update(stats, batch(new double[] {5.25, 9.25})); // mean 7.25, unbiased 8
        // m = 1/9: 8/9 * 7.25 + 1/9 * 7.25 = 7.25 ; 8/9 * 15 + 1/9 * 8 = 128/9
        assertStats(stats, new double[] {7.25}, new double[] {128.0 / 9}, 9, ULPS);

        policy.update(stats, batch(new double[] {0, 2})); // mean 1, unbiased 2
        // m = 1/10: 0.9 * 7.25 + 0.1 * 1 = 6.625 ; 0.9 * 128/9 + 0.1 * 2 = 13
        assertStats(stats, new double[] {6.625}, new double[] {13}, 10, ULPS);
    }

    @Test
    void kerasDecayUsesTheBiasedVariance() {
        RunningStats stats = RunningStats.initial(2);
        UpdatePolicy.keras(0.75).update(stats, firstBatch());
        // 0 * 0.75 + 4 * 0.25 ; 1 * 0.75 + 5 * 0.25 ; 1 * 0.75 + 4 * 0.25
        assertStats(stats, new double[] {1, 0}, new double[] {2, 1.75}, 1, EXACT);
        UpdatePolicy.keras(0.75).update(stats, secondBatch());
        // 1 * 0.75 + 11 * 0.25 ; 2 * 0.75 + 1 * 0.25 ; 0 + 3 * 0.25 ; 1.75 * 0.75 + 0
        assertStats(stats, new double[] {3.5, 0.75}, new double[] {1.75, 1.3125}, 2, EXACT);
    }

    @Test
    void kerasDefaultDecay() {
        RunningStats stats = RunningStats.initial(2);
        UpdatePolicy.keras(0.99).update(stats, firstBatch());
        // 0.01 * 4 ; 0.99 + 0.01 * 5 ; 0.99 + 0.01 * 4
        assertStats(stats, new double[] {0.04, 0}, new double[] {1.04, 1.03}, 1, ULPS);
    }

    @Test
    void kerasDecayZeroTakesTheBatchAsIs() {
        RunningStats stats = RunningStats.initial(2);
        UpdatePolicy.keras(0.0).update(stats, firstBatch());
        assertStats(stats, new double[] {4, 0}, new double[] {5, 4}, 1, EXACT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pytorch", "cumulative", "keras"})
    void batchWithFewerThanTwoValuesPerChannelIsRejected(String name) {
        UpdatePolicy policy =
                switch (name) {
                    case "pytorch" -> UpdatePolicy.pytorch(0.1);
                    case "cumulative" -> UpdatePolicy.cumulative();
                    default -> UpdatePolicy.keras(0.99);
                };
        RunningStats stats = RunningStats.of(new double[] {1, 2}, new double[] {3, 4}, 5);
        RunningStats before = stats.copy();

        assertThatThrownBy(() -> policy.update(stats, batch(new double[] {1}, new double[] {2})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two values per channel")
                .hasMessageEndingWith("got 1");
        assertThatThrownBy(
                        () -> policy.update(stats, batch(new double[] {1, 2, 3}, new double[] {2})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two values per channel");
        assertThatThrownBy(() -> policy.update(stats, new ChannelMoments(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("got 0");
        assertThatThrownBy(() -> policy.update(stats, batch(new double[] {1, 2})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch has 1 channels, running stats have 2");
        assertThat(stats).as("a rejected batch changes nothing").isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.1, 1.0000001, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void badPytorchMomentumIsRejectedWithAClearMessage(double momentum) {
        assertThatThrownBy(() -> UpdatePolicy.pytorch(momentum))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("momentum must be in (0, 1] or 'cumulative', got " + momentum);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, -0.01, 2.0, Double.NaN})
    void badKerasMomentumIsRejectedWithAClearMessage(double decay) {
        assertThatThrownBy(() -> UpdatePolicy.keras(decay))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keras momentum must be in [0, 1), got " + decay);
    }

    @Test
    void policiesHaveValueEqualityAndSurviveJavaSerialization() throws Exception {
        assertThat(UpdatePolicy.pytorch(0.1)).isEqualTo(UpdatePolicy.pytorch(0.1));
        assertThat(UpdatePolicy.pytorch(0.1)).isNotEqualTo(UpdatePolicy.pytorch(0.2));
        assertThat(UpdatePolicy.keras(0.99)).isEqualTo(UpdatePolicy.keras(0.99));
        assertThat(UpdatePolicy.keras(0.5)).isNotEqualTo(UpdatePolicy.pytorch(0.5));
        assertThat(UpdatePolicy.pytorch(0.1)).hasToString("pytorch(momentum=0.1)");
        assertThat(UpdatePolicy.keras(0.99)).hasToString("keras(momentum=0.99)");
        assertThat(UpdatePolicy.cumulative()).hasToString("pytorch(momentum=cumulative)");

        assertThat(roundTrip(UpdatePolicy.pytorch(0.3))).isEqualTo(UpdatePolicy.pytorch(0.3));
        assertThat(roundTrip(UpdatePolicy.keras(0.9))).isEqualTo(UpdatePolicy.keras(0.9));
        assertThat(roundTrip(UpdatePolicy.cumulative())).isSameAs(UpdatePolicy.cumulative());
    }

    private static Object roundTrip(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    private static void assertStats(
            RunningStats stats,
            double[] mean,
            double[] variance,
            long numBatchesTracked,
            double tolerance) {
        assertThat(stats.numBatchesTracked()).isEqualTo(numBatchesTracked);
        for (int c = 0; c < mean.length; c++) {
            if (tolerance == EXACT) {
                assertThat(stats.mean(c)).as("mean of channel %s", c).isEqualTo(mean[c]);
                assertThat(stats.variance(c))
                        .as("variance of channel %s", c)
                        .isEqualTo(variance[c]);
            } else {
                assertThat(stats.mean(c))
                        .as("mean of channel %s", c)
                        .isCloseTo(mean[c], within(tolerance * Math.max(1, Math.abs(mean[c]))));
                assertThat(stats.variance(c))
                        .as("variance of channel %s", c)
                        .isCloseTo(variance[c], within(tolerance * Math.max(1, variance[c])));
            }
        }
    }
}
