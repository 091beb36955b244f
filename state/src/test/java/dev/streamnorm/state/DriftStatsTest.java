package dev.streamnorm.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/** {@link DriftStats} against {@link DriftReference}, an independent computation of DESIGN §8. */
class DriftStatsTest {
    private static final double EPS = 1e-5;

    @Test
    void decilesAreTheNormalQuantiles() {
        NormalDistribution normal = NormalDistribution.of(0, 1);
        for (int k = 1; k <= 9; k++) {
            double expected = normal.inverseCumulativeProbability(k / 10.0);
            assertThat(DriftStats.NORMAL_DECILES[k - 1])
                    .isCloseTo(expected, within(2 * Math.ulp(expected) + 1e-300));
            assertThat(DriftStats.NORMAL_DECILES[k - 1])
                    .isEqualTo(-DriftStats.NORMAL_DECILES[9 - k]);
        }
    }

    @Test
    void aValueOnAnEdgeGoesToTheBinAbove() {
        RunningStats served = RunningStats.of(new double[] {2.0}, new double[] {9.0}, 1);
        assertThat(binOf(2.0, served)).isEqualTo(5);
        assertThat(binOf(Math.nextDown(2.0), served)).isEqualTo(4);
        double seventhEdge = 2.0 + 3.0 * DriftStats.normalDecile(7);
        assertThat(binOf(seventhEdge, served)).isEqualTo(7);
        assertThat(binOf(Math.nextDown(seventhEdge), served)).isEqualTo(6);
        assertThat(binOf(-1e300, served)).isZero();
        assertThat(binOf(1e300, served)).isEqualTo(9);
    }

    /** The bin that a first value {@code x} fills. */
    private static int binOf(double x, RunningStats served) {
        DriftStats drift = new DriftStats(1);
        drift.accept(new double[] {x}, 1, served, 0.0, 0.01);
        for (int k = 0; k < DriftStats.BINS; k++) {
            if (drift.histogram(0, k) == 1.0) {
                return k;
            }
        }
        throw new AssertionError("no bin filled");
    }

    @Test
    void firstRecordStartsTheStats() {
        DriftStats drift = new DriftStats(2);
        drift.accept(
                new double[] {1.5, -4.0},
                1,
                RunningStats.of(new double[] {1, 0}, new double[] {4, 1}, 3),
                0.0,
                0.01);
        assertThat(drift.records()).isOne();
        assertThat(drift.mean(0)).isEqualTo(1.5);
        assertThat(drift.variance(0)).isZero();
        assertThat(drift.shift(0)).isEqualTo(0.25);
        assertThat(drift.shift(1)).isEqualTo(-4.0);
        assertThat(drift.histogram(0, 5)).isEqualTo(1.0); // z = 0.25, just below the edge 0.2533
        assertThat(drift.histogram(1, 0)).isEqualTo(1.0);
        // One full bin: psi = 0.9·ln(10) + 9·(−0.1)·ln(1e-4/0.1).
        double onePoint = 0.9 * Math.log(10) - 0.9 * Math.log(1e-3);
        assertThat(drift.psi(1)).isCloseTo(onePoint, within(1e-12));
        assertThat(drift.worstShiftChannel()).isOne();
    }

    @Test
    void matchesTheIndependentComputationOnVectors() {
        checkAgainstReference(4, 1, 0.01, 3000, 1L);
    }

    @Test
    void matchesTheIndependentComputationOnChannelsWithPositions() {
        checkAgainstReference(3, 5, 0.05, 800, 2L);
    }

    @Test
    void matchesTheIndependentComputationWithMomentumOne() {
        checkAgainstReference(2, 2, 1.0, 50, 3L);
    }

    @Test
    void servedStatsThatChangeApplyFromTheirRecordOn() {
        Random random = new Random(4);
        DriftStats drift = new DriftStats(2);
        DriftReference reference = new DriftReference(2, 0.02);
        for (int r = 0; r < 600; r++) {
            double[] mean = r < 300 ? new double[] {0, 1} : new double[] {2, -1};
            double[] var = r < 300 ? new double[] {1, 4} : new double[] {9, 0.25};
            double[] x = {random.nextGaussian() * 2 + 1, random.nextGaussian()};
            drift.accept(x.clone(), 1, RunningStats.of(mean.clone(), var.clone(), 1), EPS, 0.02);
            reference.accept(x, 1, mean, var, EPS);
        }
        assertSame(drift, reference);
        assertThat(drift.servedMean(0)).isEqualTo(2.0);
        assertThat(drift.servedVariance(1)).isEqualTo(0.25 + EPS);
    }

    @Test
    void aShiftedFeatureHasTheLargestShiftAndPsi() {
        Random random = new Random(5);
        DriftStats drift = new DriftStats(3);
        RunningStats served = RunningStats.of(new double[] {0, 0, 0}, new double[] {1, 1, 1}, 1);
        for (int r = 0; r < 2000; r++) {
            double[] x = {random.nextGaussian(), random.nextGaussian() + 4, random.nextGaussian()};
            drift.accept(x, 1, served, EPS, 0.01);
        }
        assertThat(drift.worstShiftChannel()).isOne();
        assertThat(drift.maxPsiChannel()).isOne();
        assertThat(drift.shift(1)).isBetween(3.5, 4.5);
        assertThat(Math.abs(drift.shift(0))).isLessThan(0.5);
        assertThat(drift.psi(0)).isLessThan(0.25);
        assertThat(drift.psi(1)).isGreaterThan(1.0);
        assertThat(drift.varianceRatio(2)).isBetween(0.7, 1.3);
    }

    private static void checkAgainstReference(
            int channels, int positions, double m, int records, long seed) {
        Random random = new Random(seed);
        double[] mean = new double[channels];
        double[] var = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = random.nextGaussian() * 3;
            var[c] = 0.1 + random.nextDouble() * 5;
        }
        DriftStats drift = new DriftStats(channels);
        DriftReference reference = new DriftReference(channels, m);
        for (int r = 0; r < records; r++) {
            double[] x = new double[channels * positions];
            for (int i = 0; i < x.length; i++) {
                int c = i / positions;
                double drifted = r > records / 2 && c == 0 ? 2.5 : 0;
                x[i] = mean[c] + Math.sqrt(var[c]) * (random.nextGaussian() + drifted);
            }
            drift.accept(
                    x.clone(), positions, RunningStats.of(mean.clone(), var.clone(), 5), EPS, m);
            reference.accept(x, positions, mean, var, EPS);
        }
        assertSame(drift, reference);
    }

    private static void assertSame(DriftStats drift, DriftReference reference) {
        assertThat(drift.records()).isEqualTo(reference.records());
        for (int c = 0; c < drift.channels(); c++) {
            assertClose(drift.mean(c), reference.mean(c));
            assertClose(drift.variance(c), reference.variance(c));
            assertClose(drift.shift(c), reference.shift(c));
            assertClose(drift.varianceRatio(c), reference.varianceRatio(c));
            assertClose(drift.psi(c), reference.psi(c));
        }
    }

    /** abs 1e-9 + rel 1e-9, the drift contract's tolerance. */
    private static void assertClose(double actual, double expected) {
        assertThat(actual).isCloseTo(expected, within(1e-9 + 1e-9 * Math.abs(expected)));
    }
}
