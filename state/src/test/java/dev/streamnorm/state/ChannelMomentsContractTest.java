package dev.streamnorm.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The statistic contract of {@link ChannelMoments}, in the manner of Apache Commons Statistics'
 * {@code BaseDoubleStatisticTest}: every data set must give the same moments whether it is accepted
 * value by value, split into parts that are combined in any order, or compared with a two-pass
 * reference; empty and one-value accumulators have the documented results.
 *
 * <p>Data sets are well conditioned (|mean| / std at most about 1e3): accumulators built in a
 * different order then agree to 1e-12. Ill-conditioned data (1e9 + noise) is checked against an
 * exact reference in {@link NumericRequirementsTest}.
 */
class ChannelMomentsContractTest {
    private static final long SEED = 0x5EED_2024_0001L;
    private static final double REL = 1e-12;

    /** One named data set: the values of each channel. */
    record DataSet(String name, double[][] channels) {
        int channelCount() {
            return channels.length;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<DataSet> dataSets() {
        Random random = new Random(SEED);
        return Stream.of(
                new DataSet("two values", new double[][] {{1.0, 3.0}}),
                new DataSet("small integers", new double[][] {{4, 7, 13, 16, -2, 0, 5}}),
                new DataSet("normal 3 channels", gaussian(random, 3, 50, 0.0, 1.0)),
                new DataSet("offset 1e3", gaussian(random, 2, 40, 1e3, 1.0)),
                new DataSet("big 1e150", gaussian(random, 2, 30, 3e150, 1e150)),
                new DataSet("tiny 1e-150", gaussian(random, 4, 30, -2e-150, 1e-150)),
                new DataSet("mixed magnitudes", mixedMagnitudes(random, 5, 60)),
                new DataSet(
                        "constant and varying",
                        new double[][] {
                            constant(25, 2.5),
                            constant(25, (double) 0.1f),
                            gaussian(random, 1, 25, -7.25, 3.0)[0]
                        }),
                new DataSet("unequal counts", unequal(random)));
    }

    // ---------------------------------------------------------------------------------------
    // accept vs two-pass reference

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataSets")
    void acceptMatchesTwoPassReference(DataSet data) {
        ChannelMoments moments = acceptAll(data.channels());
        for (int c = 0; c < data.channelCount(); c++) {
            double[] x = data.channels()[c];
            double mean = twoPassMean(x);
            double m2 = twoPassM2(x, mean);
            assertThat(moments.count(c)).isEqualTo(x.length);
            assertThat(moments.mean(c)).isCloseTo(mean, within(tolerance(mean, maxAbs(x))));
            assertThat(moments.m2(c)).isCloseTo(m2, within(1e-12 * m2));
            assertThat(moments.biasedVariance(c)).isCloseTo(m2 / x.length, within(1e-12 * m2));
            assertThat(moments.unbiasedVariance(c))
                    .isCloseTo(m2 / (x.length - 1), within(1e-12 * m2));
        }
    }

    // ---------------------------------------------------------------------------------------
    // split and combine

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataSets")
    void splitAndCombineEqualsSequential(DataSet data) {
        Random random = new Random(SEED ^ data.name().hashCode());
        ChannelMoments sequential = acceptAll(data.channels());
        for (int trial = 0; trial < 50; trial++) {
            int parts = 1 + random.nextInt(6);
            List<ChannelMoments> pieces = split(data.channels(), parts, random);
            Collections.shuffle(pieces, random);
            ChannelMoments combined = new ChannelMoments(data.channelCount());
            for (ChannelMoments piece : pieces) {
                combined.combine(piece);
            }
            assertSameMoments(combined, sequential, "trial " + trial + ", " + parts + " parts");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataSets")
    void randomOrderEqualsSequential(DataSet data) {
        Random random = new Random(SEED ^ ~data.name().hashCode());
        ChannelMoments sequential = acceptAll(data.channels());
        for (int trial = 0; trial < 20; trial++) {
            double[][] shuffled = new double[data.channelCount()][];
            for (int c = 0; c < shuffled.length; c++) {
                shuffled[c] = shuffle(data.channels()[c], random);
            }
            assertSameMoments(acceptAll(shuffled), sequential, "shuffle " + trial);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataSets")
    void combineAsBalancedTreeEqualsSequential(DataSet data) {
        Random random = new Random(SEED + data.name().length());
        ChannelMoments sequential = acceptAll(data.channels());
        List<ChannelMoments> level = split(data.channels(), 8, random);
        while (level.size() > 1) {
            List<ChannelMoments> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                ChannelMoments left = level.get(i);
                if (i + 1 < level.size()) {
                    left.combine(level.get(i + 1));
                }
                next.add(left);
            }
            level = next;
        }
        assertSameMoments(level.get(0), sequential, "tree");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataSets")
    void combineWithEmptyOnEitherSideIsIdentity(DataSet data) {
        ChannelMoments moments = acceptAll(data.channels());
        ChannelMoments expected = moments.copy();

        moments.combine(new ChannelMoments(data.channelCount()));
        assertThat(moments).isEqualTo(expected);

        ChannelMoments empty = new ChannelMoments(data.channelCount());
        empty.combine(moments);
        assertThat(empty).isEqualTo(expected);
        assertThat(moments).as("the argument of combine is not changed").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataSets")
    void m2IsNeverNegative(DataSet data) {
        Random random = new Random(SEED * 31 + data.name().hashCode());
        ChannelMoments moments = new ChannelMoments(data.channelCount());
        for (int c = 0; c < data.channelCount(); c++) {
            for (double x : data.channels()[c]) {
                moments.accept(c, x);
                assertThat(moments.m2(c)).isGreaterThanOrEqualTo(0.0);
            }
        }
        for (int trial = 0; trial < 10; trial++) {
            ChannelMoments combined = new ChannelMoments(data.channelCount());
            for (ChannelMoments piece : split(data.channels(), 4, random)) {
                combined.combine(piece);
                for (int c = 0; c < data.channelCount(); c++) {
                    assertThat(combined.m2(c)).isGreaterThanOrEqualTo(0.0);
                    if (combined.count(c) > 0) {
                        assertThat(combined.biasedVariance(c)).isGreaterThanOrEqualTo(0.0);
                    }
                }
            }
        }
    }

    @Test
    void m2IsNeverNegativeForValuesDifferingInTheLastBits() {
        Random random = new Random(SEED + 7);
        for (double base : new double[] {1e9, 0.1, 1e-300, -1234.5, 3e300}) {
            ChannelMoments moments = new ChannelMoments(1);
            ChannelMoments other = new ChannelMoments(1);
            for (int i = 0; i < 500; i++) {
                double x = base;
                for (int k = random.nextInt(3); k > 0; k--) {
                    x = random.nextBoolean() ? Math.nextUp(x) : Math.nextDown(x);
                }
                (i % 3 == 0 ? other : moments).accept(0, x);
                assertThat(moments.m2(0)).as("base %s", base).isGreaterThanOrEqualTo(0.0);
            }
            moments.combine(other);
            assertThat(moments.m2(0)).isGreaterThanOrEqualTo(0.0);
            assertThat(moments.biasedVariance(0)).isGreaterThanOrEqualTo(0.0);
            assertThat(moments.unbiasedVariance(0)).isGreaterThanOrEqualTo(0.0);
        }
    }

    // ---------------------------------------------------------------------------------------
    // edge cases

    @Test
    void emptyAccumulatorHasNanVariances() {
        ChannelMoments empty = new ChannelMoments(3);
        for (int c = 0; c < 3; c++) {
            assertThat(empty.count(c)).isZero();
            assertThat(empty.mean(c)).isEqualTo(0.0);
            assertThat(empty.m2(c)).isEqualTo(0.0);
            assertThat(empty.biasedVariance(c)).isNaN();
            assertThat(empty.unbiasedVariance(c)).isNaN();
        }
        assertThat(empty.minCount()).isZero();
    }

    @Test
    void oneValueHasBiasedVarianceZeroAndUnbiasedNan() {
        ChannelMoments moments = new ChannelMoments(2);
        moments.accept(0, 1e9 + 0.5);
        moments.accept(1, -3.25e-200);
        assertThat(moments.count(0)).isEqualTo(1);
        assertThat(moments.mean(0)).isEqualTo(1e9 + 0.5);
        assertThat(moments.mean(1)).isEqualTo(-3.25e-200);
        for (int c = 0; c < 2; c++) {
            assertThat(moments.m2(c)).isEqualTo(0.0);
            assertThat(moments.biasedVariance(c)).isEqualTo(0.0);
            assertThat(moments.unbiasedVariance(c)).isNaN();
        }
    }

    @Test
    void channelsWithDifferentCountsReportTheSmallest() {
        ChannelMoments moments = new ChannelMoments(3);
        moments.accept(0, 1.0);
        moments.accept(0, 2.0);
        moments.accept(1, 5.0);
        assertThat(moments.minCount()).isZero();
        moments.accept(2, 5.0);
        assertThat(moments.minCount()).isEqualTo(1);
    }

    @Test
    void resetEmptiesEveryChannel() {
        ChannelMoments moments = acceptAll(new double[][] {{1, 2, 3}, {4, 5}});
        moments.reset();
        assertThat(moments).isEqualTo(new ChannelMoments(2));
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        ChannelMoments original = acceptAll(new double[][] {{1, 2, 3}, {10, 20}});
        ChannelMoments copy = original.copy();
        assertThat(copy).isEqualTo(original).isNotSameAs(original);

        original.accept(0, 100.0);
        original.combine(acceptAll(new double[][] {{7}, {8}}));
        assertThat(copy.count(0)).isEqualTo(3);
        assertThat(copy.mean(0)).isEqualTo(2.0);
        assertThat(copy.m2(0)).isEqualTo(2.0);
        assertThat(copy.count(1)).isEqualTo(2);
        assertThat(copy.mean(1)).isEqualTo(15.0);
        assertThat(copy.m2(1)).isEqualTo(50.0);

        copy.accept(1, -1.0);
        assertThat(original.count(1)).isEqualTo(3);
        assertThat(original.mean(1)).isCloseTo(38.0 / 3, within(1e-14));
    }

    @Test
    void acceptRecordPutsEveryPositionOfChannelCIntoChannelC() {
        RecordShape shape = RecordShape.of(3, 4);
        ChannelMoments moments = new ChannelMoments(3);
        double[] record = new double[12];
        for (int c = 0; c < 3; c++) {
            for (int l = 0; l < 4; l++) {
                record[c * 4 + l] = 100.0 * c + l;
            }
        }
        moments.acceptRecord(record, shape);
        for (int c = 0; c < 3; c++) {
            assertThat(moments.count(c)).isEqualTo(4);
            assertThat(moments.mean(c)).isEqualTo(100.0 * c + 1.5);
            assertThat(moments.m2(c)).isEqualTo(5.0);
        }

        double[] second = new double[12];
        Arrays.fill(second, 0, 4, 1000.0);
        moments.acceptRecord(second, shape);
        assertThat(moments.count(0)).isEqualTo(8);
        assertThat(moments.mean(0)).isEqualTo((6.0 + 4000.0) / 8);
        assertThat(moments.count(1)).isEqualTo(8);
        assertThat(moments.mean(1)).isEqualTo((406.0 + 0.0) / 8);
    }

    @Test
    void acceptRecordMatchesAcceptPerValue() {
        Random random = new Random(SEED + 3);
        RecordShape shape = RecordShape.of(5, 3);
        ChannelMoments byRecord = new ChannelMoments(5);
        ChannelMoments byValue = new ChannelMoments(5);
        for (int r = 0; r < 20; r++) {
            double[] record = new double[15];
            for (int i = 0; i < 15; i++) {
                record[i] = random.nextGaussian() * (i + 1);
                byValue.accept(i / 3, record[i]);
            }
            byRecord.acceptRecord(record, shape);
        }
        assertThat(byRecord).isEqualTo(byValue);
    }

    @ParameterizedTest
    @MethodSource("batchShapes")
    void acceptBatchAgreesWithAcceptRecordOneByOne(RecordShape shape) {
        Random random = new Random(SEED + 5);
        double[][] rows = new double[40][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = new double[shape.size()];
            for (int i = 0; i < shape.size(); i++) {
                rows[r][i] = 1e3 + random.nextGaussian() * (i + 1);
            }
        }
        // Into an empty accumulator, then into one whose channels differ in count.
        for (boolean uneven : new boolean[] {false, true}) {
            ChannelMoments batch = new ChannelMoments(shape.channels());
            ChannelMoments oneByOne = new ChannelMoments(shape.channels());
            if (uneven) {
                batch.accept(1, 7.0);
                oneByOne.accept(1, 7.0);
            }
            batch.acceptBatch(rows, 30, shape);
            for (int r = 0; r < 30; r++) {
                oneByOne.acceptRecord(rows[r], shape);
            }
            for (int c = 0; c < shape.channels(); c++) {
                assertThat(batch.count(c)).isEqualTo(oneByOne.count(c));
                assertThat(batch.mean(c))
                        .isCloseTo(oneByOne.mean(c), within(REL * Math.abs(oneByOne.mean(c))));
                assertThat(batch.m2(c))
                        .isCloseTo(oneByOne.m2(c), within(REL * Math.abs(oneByOne.m2(c))));
            }
        }
    }

    static Stream<RecordShape> batchShapes() {
        return Stream.of(RecordShape.vector(4), RecordShape.of(3, 5));
    }

    @Test
    void acceptBatchGivesSimpleDataItsExactMoments() {
        ChannelMoments moments = new ChannelMoments(2);
        moments.acceptBatch(
                new double[][] {{100, 200}, {101, 200}, {102, 200}, {103, 200}},
                4,
                RecordShape.vector(2));
        assertThat(moments.mean(0)).isEqualTo(101.5);
        assertThat(moments.m2(0)).isEqualTo(5.0);
        assertThat(moments.mean(1)).isEqualTo(200.0);
        assertThat(moments.m2(1)).isEqualTo(0.0);
        assertThat(moments.count(1)).isEqualTo(4);
        assertThatThrownBy(
                        () ->
                                new ChannelMoments(4)
                                        .acceptBatch(
                                                new double[][] {new double[3]},
                                                1,
                                                RecordShape.vector(4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record 0 has 3 values, expected 4");
    }

    @Test
    void mismatchedChannelsAreRejected() {
        ChannelMoments moments = new ChannelMoments(2);
        assertThatThrownBy(() -> moments.combine(new ChannelMoments(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 channels with 2");
        assertThatThrownBy(() -> moments.acceptRecord(new double[3], RecordShape.vector(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record has 3 channels, accumulator has 2");
        assertThatThrownBy(() -> new ChannelMoments(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofValidatesItsArguments() {
        ChannelMoments moments =
                ChannelMoments.of(new long[] {2, 0}, new double[] {1.5, 0}, new double[] {0.5, 0});
        assertThat(moments.unbiasedVariance(0)).isEqualTo(0.5);
        assertThat(moments.biasedVariance(1)).isNaN();
        assertThatThrownBy(
                        () ->
                                ChannelMoments.of(
                                        new long[] {2}, new double[] {1}, new double[] {-1e-300}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m2 must not be negative");
        assertThatThrownBy(
                        () ->
                                ChannelMoments.of(
                                        new long[] {-1}, new double[] {0}, new double[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count must not be negative");
        assertThatThrownBy(
                        () ->
                                ChannelMoments.of(
                                        new long[] {1, 1}, new double[] {0}, new double[] {0}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------------------------------
    // helpers

    private static void assertSameMoments(
            ChannelMoments actual, ChannelMoments expected, String description) {
        for (int c = 0; c < expected.channels(); c++) {
            assertThat(actual.count(c)).as(description).isEqualTo(expected.count(c));
            assertThat(actual.mean(c))
                    .as("%s, mean of channel %s", description, c)
                    .isCloseTo(expected.mean(c), within(REL * Math.abs(expected.mean(c))));
            assertThat(actual.m2(c))
                    .as("%s, m2 of channel %s", description, c)
                    .isCloseTo(expected.m2(c), within(REL * expected.m2(c)));
        }
    }

    /** Tolerance of a mean: relative to the mean, or to the data's scale when the mean is ~0. */
    private static double tolerance(double mean, double scale) {
        return Math.max(REL * Math.abs(mean), 1e-15 * scale);
    }

    static ChannelMoments acceptAll(double[][] channels) {
        ChannelMoments moments = new ChannelMoments(channels.length);
        for (int c = 0; c < channels.length; c++) {
            for (double x : channels[c]) {
                moments.accept(c, x);
            }
        }
        return moments;
    }

    /** Splits every channel's values, in order, at random points into {@code parts} pieces. */
    private static List<ChannelMoments> split(double[][] channels, int parts, Random random) {
        List<ChannelMoments> pieces = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            pieces.add(new ChannelMoments(channels.length));
        }
        for (int c = 0; c < channels.length; c++) {
            int[] cuts = new int[parts + 1];
            cuts[parts] = channels[c].length;
            for (int p = 1; p < parts; p++) {
                cuts[p] = random.nextInt(channels[c].length + 1);
            }
            Arrays.sort(cuts);
            for (int p = 0; p < parts; p++) {
                for (int i = cuts[p]; i < cuts[p + 1]; i++) {
                    pieces.get(p).accept(c, channels[c][i]);
                }
            }
        }
        return pieces;
    }

    private static double twoPassMean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        double mean = sum / x.length;
        double correction = 0;
        for (double v : x) {
            correction += v - mean;
        }
        return mean + correction / x.length;
    }

    private static double twoPassM2(double[] x, double mean) {
        double m2 = 0;
        double sum = 0;
        for (double v : x) {
            double d = v - mean;
            m2 += d * d;
            sum += d;
        }
        return m2 - sum * sum / x.length;
    }

    private static double maxAbs(double[] x) {
        double max = 0;
        for (double v : x) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static double[] shuffle(double[] values, Random random) {
        double[] copy = values.clone();
        for (int i = copy.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = copy[i];
            copy[i] = copy[j];
            copy[j] = t;
        }
        return copy;
    }

    private static double[][] gaussian(
            Random random, int channels, int n, double offset, double scale) {
        double[][] data = new double[channels][n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                data[c][i] = offset * (c + 1) + scale * random.nextGaussian();
            }
        }
        return data;
    }

    private static double[][] mixedMagnitudes(Random random, int channels, int n) {
        double[][] data = new double[channels][n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                double magnitude = Math.pow(10, -3 + 6 * random.nextDouble());
                data[c][i] = random.nextBoolean() ? magnitude : -magnitude;
            }
        }
        return data;
    }

    private static double[] constant(int n, double value) {
        double[] data = new double[n];
        Arrays.fill(data, value);
        return data;
    }

    private static double[][] unequal(Random random) {
        return new double[][] {
            gaussian(random, 1, 3, 5.0, 2.0)[0],
            gaussian(random, 1, 17, -1.0, 0.5)[0],
            gaussian(random, 1, 64, 100.0, 10.0)[0]
        };
    }
}
