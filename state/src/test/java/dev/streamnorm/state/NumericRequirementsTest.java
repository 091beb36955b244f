package dev.streamnorm.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The numeric requirements of DESIGN.md §2: variances survive catastrophic cancellation, a constant
 * channel normalizes to exactly the bias, and no kernel turns finite input into NaN or infinity.
 */
class NumericRequirementsTest {
    private static final long SEED = 0x5EED_2024_0002L;

    /** Constants of the golden {@code const} data kind, and a few harder ones. */
    private static final double[] CONSTANTS = {
        2.5, 0.0, -7.25, (double) 0.1f, 1234.5, 0.1, 1e9 + 0.1, -1e150, 1e-150, -3.3e-7
    };

    private static final double[] EPSILONS = {1e-5, 1e-3, 0.0};

    // ---------------------------------------------------------------------------------------
    // cancellation

    @Test
    void unbiasedVarianceOfFourValuesOffsetByOneBillionIs30() {
        double[] values = {4 + 1e9, 7 + 1e9, 13 + 1e9, 16 + 1e9};

        ChannelMoments sequential = new ChannelMoments(1);
        for (double x : values) {
            sequential.accept(0, x);
        }
        assertThat(sequential.unbiasedVariance(0)).isCloseTo(30.0, within(1e-9));
        assertThat(sequential.biasedVariance(0)).isCloseTo(22.5, within(1e-9));
        assertThat(sequential.mean(0)).isEqualTo(1e9 + 10);

        ChannelMoments left = new ChannelMoments(1);
        left.accept(0, values[0]);
        left.accept(0, values[1]);
        ChannelMoments right = new ChannelMoments(1);
        right.accept(0, values[2]);
        right.accept(0, values[3]);
        left.combine(right);
        assertThat(left.unbiasedVariance(0)).isCloseTo(30.0, within(1e-9));

        ChannelMoments byRecord = new ChannelMoments(1);
        byRecord.acceptRecord(values, RecordShape.of(1, 4));
        assertThat(byRecord.unbiasedVariance(0)).isCloseTo(30.0, within(1e-9));

        RunningStats stats = RunningStats.initial(1);
        UpdatePolicy.cumulative().update(stats, sequential);
        assertThat(stats.variance(0)).isCloseTo(30.0, within(1e-9));
    }

    @Test
    void varianceOfAMillionValuesNearOneBillionMatchesExactReference() {
        int n = 1_000_000;
        Random random = new Random(SEED);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = 1e9 + random.nextDouble();
        }

        ExactMoments exact = ExactMoments.of(values);

        ChannelMoments sequential = new ChannelMoments(1);
        for (double x : values) {
            sequential.accept(0, x);
        }
        assertThat(relativeError(sequential.biasedVariance(0), exact.biasedVariance))
                .isLessThanOrEqualTo(1e-6);
        assertThat(relativeError(sequential.unbiasedVariance(0), exact.unbiasedVariance))
                .isLessThanOrEqualTo(1e-6);
        assertThat(relativeError(sequential.mean(0), exact.mean)).isLessThanOrEqualTo(1e-13);

        // the same in chunks of unequal size merged with Chan's formula
        ChannelMoments merged = new ChannelMoments(1);
        int start = 0;
        while (start < n) {
            int end = Math.min(n, start + 1 + random.nextInt(5000));
            ChannelMoments chunk = new ChannelMoments(1);
            for (int i = start; i < end; i++) {
                chunk.accept(0, values[i]);
            }
            merged.combine(chunk);
            start = end;
        }
        assertThat(merged.count(0)).isEqualTo(n);
        assertThat(relativeError(merged.unbiasedVariance(0), exact.unbiasedVariance))
                .isLessThanOrEqualTo(1e-6);

        // the data set is hard: the textbook formula E[x²] - E[x]² is far off on it
        double sum = 0;
        double sumOfSquares = 0;
        for (double x : values) {
            sum += x;
            sumOfSquares += x * x;
        }
        double naive = sumOfSquares / n - (sum / n) * (sum / n);
        assertThat(relativeError(naive, exact.biasedVariance)).isGreaterThan(1e-3);
    }

    /** Mean and variances computed exactly with BigDecimal, rounded once to double. */
    private record ExactMoments(double mean, double biasedVariance, double unbiasedVariance) {
        static ExactMoments of(double[] values) {
            MathContext context = new MathContext(60);
            BigDecimal sum = BigDecimal.ZERO;
            for (double x : values) {
                sum = sum.add(new BigDecimal(x));
            }
            BigDecimal n = BigDecimal.valueOf(values.length);
            BigDecimal mean = sum.divide(n, context);
            BigDecimal m2 = BigDecimal.ZERO;
            for (double x : values) {
                BigDecimal d = new BigDecimal(x).subtract(mean);
                m2 = m2.add(d.multiply(d));
            }
            return new ExactMoments(
                    mean.doubleValue(),
                    m2.divide(n, context).doubleValue(),
                    m2.divide(n.subtract(BigDecimal.ONE), context).doubleValue());
        }
    }

    private static double relativeError(double actual, double expected) {
        return Math.abs(actual - expected) / Math.abs(expected);
    }

    // ---------------------------------------------------------------------------------------
    // a constant channel maps to exactly the bias

    private static final double[] WEIGHT = {1.5, -0.75, 2.0, 0.3};
    private static final double[] BIAS = {0.25, -1.125, 3.5, 0.1};

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pytorch", "cumulative", "keras"})
    void constantChannelTrainsToExactlyTheBias(String convention) {
        Random random = new Random(SEED + convention.hashCode());
        RecordShape shape = RecordShape.of(4, 3);
        Affine affine = Affine.of(WEIGHT, BIAS);
        UpdatePolicy policy =
                switch (convention) {
                    case "pytorch" -> UpdatePolicy.pytorch(0.1);
                    case "cumulative" -> UpdatePolicy.cumulative();
                    default -> UpdatePolicy.keras(0.99);
                };
        for (double eps : EPSILONS) {
            BatchNorm bn = new BatchNorm(shape, eps, affine, policy);
            for (double constant : CONSTANTS) {
                double[][] records = records(random, 6, shape, 1, constant);
                ChannelMoments batch = new ChannelMoments(4);
                for (double[] r : records) {
                    batch.acceptRecord(r, shape);
                }
                ChannelNormalizer normalizer = bn.newNormalizer();
                RunningStats stats = RunningStats.initial(4);
                assertThat(bn.closeBatch(batch, stats, normalizer)).isTrue();
                for (double[] r : records) {
                    double[] out = new double[r.length];
                    normalizer.apply(r, out);
                    for (int l = 0; l < 3; l++) {
                        assertThat(out[3 + l])
                                .as("constant %s, eps %s", constant, eps)
                                .isEqualTo(BIAS[1]);
                        assertThat(out[l]).as("a varying channel").isNotEqualTo(BIAS[0]);
                    }
                }
            }
        }
    }

    @Test
    void constantChannelEvaluatesToExactlyTheBias() {
        Random random = new Random(SEED + 11);
        RecordShape shape = RecordShape.of(4, 2);
        Affine affine = Affine.of(WEIGHT, BIAS);
        for (double eps : EPSILONS) {
            for (double constant : CONSTANTS) {
                BatchNorm bn = new BatchNorm(shape, eps, affine, UpdatePolicy.cumulative());
                double[][] records = records(random, 5, shape, 2, constant);

                // stats from a stats file: the channel's mean is the constant, its variance 0
                RunningStats loaded =
                        RunningStats.of(
                                new double[] {0.5, -2.0, constant, 7.0},
                                new double[] {1.0, 4.0, 0.0, 0.25},
                                12);
                ChannelNormalizer normalizer = bn.newNormalizer();
                bn.useRunningStats(loaded, normalizer);
                assertChannelIsBias(normalizer, records, 2, 2, constant, eps);

                // stats from training: the first cumulative batch replaces the initial stats
                RunningStats trained = RunningStats.initial(4);
                ChannelMoments batch = new ChannelMoments(4);
                for (double[] r : records) {
                    batch.acceptRecord(r, shape);
                }
                bn.closeBatch(batch, trained, bn.newNormalizer());
                assertThat(trained.mean(2)).isEqualTo(constant);
                assertThat(trained.variance(2)).isEqualTo(0.0);
                bn.useRunningStats(trained, normalizer);
                assertChannelIsBias(normalizer, records, 2, 2, constant, eps);
            }
        }
    }

    private static void assertChannelIsBias(
            ChannelNormalizer normalizer,
            double[][] records,
            int channel,
            int positions,
            double constant,
            double eps) {
        for (double[] r : records) {
            double[] out = new double[r.length];
            normalizer.apply(r, out);
            for (int l = 0; l < positions; l++) {
                assertThat(out[channel * positions + l])
                        .as("constant %s, eps %s", constant, eps)
                        .isEqualTo(BIAS[channel]);
            }
        }
    }

    @Test
    void constantSegmentsNormalizeToExactlyTheBias() {
        Random random = new Random(SEED + 12);
        for (double eps : EPSILONS) {
            for (double constant : CONSTANTS) {
                String what = "constant " + constant + ", eps " + eps;

                // layer norm over the whole 3x2 record, affine per element
                RecordShape shape = RecordShape.of(3, 2);
                double[] elementBias = {0.5, -0.25, 1.75, -3.0, 0.125, 9.5};
                double[] elementWeight = {2, 3, -1, 0.5, 1, 4};
                double[] record = new double[6];
                Arrays.fill(record, constant);
                double[] out = new double[6];
                SegmentNorm.layer(shape, 6, eps, Affine.of(elementWeight, elementBias))
                        .apply(record, out);
                assertThat(out).as(what).containsExactly(elementBias);

                // layer norm over the last axis (L = 2): the second row is constant
                double[] rows = {1.0, 4.0, constant, constant, -2.0, 8.0};
                double[] rowBias = {0.75, -0.5};
                SegmentNorm.layer(shape, 2, eps, Affine.of(new double[] {3.0, -2.0}, rowBias))
                        .apply(rows, out);
                assertThat(out[2]).as(what).isEqualTo(rowBias[0]);
                assertThat(out[3]).as(what).isEqualTo(rowBias[1]);

                // group norm: 4 channels x 3 positions in 2 groups, group 0 is constant
                RecordShape grouped = RecordShape.of(4, 3);
                double[] values = records(random, 1, grouped, 1, constant)[0];
                Arrays.fill(values, 0, 6, constant);
                double[] groupOut = new double[12];
                SegmentNorm.group(grouped, 2, eps, Affine.of(WEIGHT, BIAS)).apply(values, groupOut);
                for (int i = 0; i < 6; i++) {
                    assertThat(groupOut[i]).as(what).isEqualTo(BIAS[i / 3]);
                }
                assertThat(groupOut[6]).isNotEqualTo(BIAS[2]);

                // instance norm: channel 3 of 4x3 is constant
                double[] instance = records(random, 1, grouped, 3, constant)[0];
                SegmentNorm.instance(grouped, eps, Affine.of(WEIGHT, BIAS))
                        .apply(instance, groupOut);
                for (int l = 0; l < 3; l++) {
                    assertThat(groupOut[9 + l]).as(what).isEqualTo(BIAS[3]);
                }
            }
        }
    }

    /** {@code n} random records, channel {@code constantChannel} holding {@code constant}. */
    private static double[][] records(
            Random random, int n, RecordShape shape, int constantChannel, double constant) {
        int positions = shape.positions();
        double[][] records = new double[n][shape.size()];
        for (double[] r : records) {
            for (int i = 0; i < r.length; i++) {
                r[i] = i / positions == constantChannel ? constant : 10 * random.nextGaussian() + i;
            }
        }
        return records;
    }

    // ---------------------------------------------------------------------------------------
    // property: finite input never gives NaN or infinity

    private enum Kind {
        RANDOM_EXPONENTS,
        COMMON_SCALE_WITH_OFFSET,
        CONSTANT_RECORDS,
        CONSTANT_CHANNELS,
        MIXED
    }

    @Test
    void noKernelTurnsFiniteInputIntoNanOrInfinity() {
        Random random = new Random(SEED + 99);
        int checked = 0;
        for (int trial = 0; trial < 600; trial++) {
            Trial t = Trial.random(random, trial);
            checked += t.checkBatchTrainAndEval(random);
            checked += t.checkSegmentNorms(random);
            checked += t.checkInstanceRunningStats(random);
            checked += t.checkL2();
            checked += t.checkOnline(random);
        }
        assertThat(checked).isGreaterThan(1_000_000);
    }

    /** One random case: a shape, a few records, eps. */
    private record Trial(String name, RecordShape shape, double[][] records, double eps) {
        static Trial random(Random random, int trial) {
            int channels = 1 + random.nextInt(16);
            int positions = 1 + random.nextInt(8);
            int n = 1 + random.nextInt(32);
            Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
            RecordShape shape = RecordShape.of(channels, positions);
            double[][] records = new double[n][shape.size()];
            for (int c = 0; c < channels; c++) {
                Kind channelKind = kind == Kind.MIXED ? Kind.values()[random.nextInt(4)] : kind;
                fillChannel(random, records, c, positions, channelKind);
            }
            if (kind == Kind.CONSTANT_RECORDS) {
                double value = randomMagnitude(random);
                for (double[] r : records) {
                    Arrays.fill(r, value);
                }
            }
            double eps = random.nextBoolean() ? 0.0 : 1e-5;
            String name =
                    String.format(
                            "trial %d: %s, shape %s, %d records, eps %s",
                            trial, kind, shape, n, eps);
            return new Trial(name, shape, records, eps);
        }

        private static void fillChannel(
                Random random, double[][] records, int c, int positions, Kind kind) {
            // |scale · (offset + 1 + u)| stays within [1e-150, 1e150)
            double scale = Math.pow(10, random.nextInt(291) - 150);
            double offset = random.nextBoolean() ? 0.0 : (random.nextBoolean() ? 1e6 : -1e9);
            double constant = randomMagnitude(random);
            for (double[] r : records) {
                for (int l = 0; l < positions; l++) {
                    r[c * positions + l] =
                            switch (kind) {
                                case COMMON_SCALE_WITH_OFFSET ->
                                        scale * (offset + 1 + random.nextDouble());
                                case CONSTANT_CHANNELS, CONSTANT_RECORDS -> constant;
                                default -> randomMagnitude(random);
                            };
                }
            }
        }

        /** ± m · 10^e with m in [1, 10) and e in [-150, 149]: 1e-150 ≤ |x| < 1e150. */
        private static double randomMagnitude(Random random) {
            double m = (1 + 9 * random.nextDouble()) * Math.pow(10, random.nextInt(300) - 150);
            return random.nextBoolean() ? m : -m;
        }

        int checkBatchTrainAndEval(Random random) {
            UpdatePolicy policy =
                    switch (random.nextInt(5)) {
                        case 0 -> UpdatePolicy.pytorch(0.1);
                        case 1 -> UpdatePolicy.pytorch(1.0 - random.nextDouble());
                        case 2 -> UpdatePolicy.cumulative();
                        case 3 -> UpdatePolicy.keras(0.99);
                        default -> UpdatePolicy.keras(random.nextDouble());
                    };
            int channels = shape.channels();
            BatchNorm bn = new BatchNorm(shape, eps, randomAffine(random, channels), policy);
            ChannelNormalizer normalizer = bn.newNormalizer();
            RunningStats stats = RunningStats.initial(channels);
            double[] out = new double[shape.size()];
            int batchSize = 1 + random.nextInt(records.length);
            int checked = 0;
            for (int start = 0; start < records.length; start += batchSize) {
                int end = Math.min(records.length, start + batchSize);
                ChannelMoments batch = new ChannelMoments(channels);
                for (int r = start; r < end; r++) {
                    batch.acceptRecord(records[r], shape);
                }
                bn.closeBatch(batch, stats, normalizer);
                assertStatsFinite(stats, name + ", " + policy + ", batch at " + start);
                for (int r = start; r < end; r++) {
                    normalizer.apply(records[r], out);
                    checked += assertFinite(out, "batch train " + policy, records[r]);
                }
            }
            bn.useRunningStats(stats, normalizer);
            for (double[] record : records) {
                normalizer.apply(record, out);
                checked += assertFinite(out, "batch eval " + policy + " " + stats, record);
            }
            return checked;
        }

        int checkSegmentNorms(Random random) {
            int channels = shape.channels();
            int positions = shape.positions();
            int checked = 0;
            double[] out = new double[shape.size()];

            SegmentNorm layer = SegmentNorm.layer(shape, shape.size(), eps, Affine.identity());
            int rowSize = random.nextBoolean() ? shape.size() : positions;
            SegmentNorm layerAffine =
                    SegmentNorm.layer(shape, rowSize, eps, randomAffine(random, rowSize));
            int groups = randomDivisor(random, channels);
            SegmentNorm group =
                    SegmentNorm.group(shape, groups, eps, randomAffine(random, channels));
            SegmentNorm instance =
                    positions >= 2
                            ? SegmentNorm.instance(shape, eps, randomAffine(random, channels))
                            : null;
            for (double[] record : records) {
                layer.apply(record, out);
                checked += assertFinite(out, "layer", record);
                layerAffine.apply(record, out);
                checked += assertFinite(out, "layer over " + rowSize, record);
                group.apply(record, out);
                checked += assertFinite(out, "group of " + groups, record);
                if (instance != null) {
                    instance.apply(record, out);
                    checked += assertFinite(out, "instance", record);
                }
            }
            return checked;
        }

        int checkInstanceRunningStats(Random random) {
            if (shape.positions() < 2) {
                return 0;
            }
            int channels = shape.channels();
            Double momentum = random.nextInt(4) == 0 ? null : random.nextDouble();
            InstanceNormRunningStats norm =
                    new InstanceNormRunningStats(
                            shape, eps, randomAffine(random, channels), momentum);
            RunningStats stats = RunningStats.initial(channels);
            double[][] out = new double[records.length][shape.size()];
            norm.train(records, out, stats);
            assertStatsFinite(stats, name + ", instance running stats");
            int checked = 0;
            for (int r = 0; r < records.length; r++) {
                checked += assertFinite(out[r], "instance train", records[r]);
                norm.eval(records[r], out[r], stats);
                checked += assertFinite(out[r], "instance eval", records[r]);
            }
            return checked;
        }

        int checkL2() {
            double[] out = new double[shape.size()];
            int checked = 0;
            for (double[] record : records) {
                L2Norm.apply(record, out, 1e-12);
                checked += assertFinite(out, "l2", record);
                L2Norm.apply(record, out, 0.0);
                checked += assertFinite(out, "l2 eps 0", record);
                for (double y : out) {
                    assertThat(Math.abs(y)).as(name).isLessThanOrEqualTo(1.0);
                }
            }
            return checked;
        }

        int checkOnline(Random random) {
            double alpha = random.nextInt(10) == 0 ? 1.0 : 1.0 - random.nextDouble();
            ExponentialMoments moments = new ExponentialMoments(shape.size());
            double[] out = new double[shape.size()];
            int checked = 0;
            for (double[] record : records) {
                moments.update(record, alpha);
                for (int i = 0; i < moments.size(); i++) {
                    if (!Double.isFinite(moments.mean(i))
                            || !Double.isFinite(moments.variance(i))
                            || !(moments.variance(i) >= 0)) {
                        fail("%s: online alpha %s: %s", name, alpha, moments);
                    }
                }
                moments.standardize(record, out, 0.0);
                checked += assertFinite(out, "online eps 0, alpha " + alpha, record);
                moments.standardize(record, out, 1e-5);
                checked += assertFinite(out, "online eps 1e-5, alpha " + alpha, record);
            }
            return checked;
        }

        private int assertFinite(double[] out, String kernel, double[] record) {
            for (int i = 0; i < out.length; i++) {
                if (!Double.isFinite(out[i])) {
                    fail(
                            "%s: %s gave %s at %s for %s",
                            name, kernel, out[i], i, Arrays.toString(record));
                }
            }
            return out.length;
        }

        private void assertStatsFinite(RunningStats stats, String what) {
            for (int c = 0; c < stats.channels(); c++) {
                if (!Double.isFinite(stats.mean(c))
                        || !Double.isFinite(stats.variance(c))
                        || !(stats.variance(c) >= 0)) {
                    fail("%s: running stats %s", what, stats);
                }
            }
        }

        private static Affine randomAffine(Random random, int size) {
            switch (random.nextInt(4)) {
                case 0:
                    return Affine.identity();
                case 1:
                    return Affine.of(uniform(random, size), null);
                case 2:
                    return Affine.of(null, uniform(random, size));
                default:
                    return Affine.of(uniform(random, size), uniform(random, size));
            }
        }

        private static double[] uniform(Random random, int size) {
            double[] values = new double[size];
            for (int i = 0; i < size; i++) {
                values[i] = 4 * random.nextDouble() - 2;
            }
            return values;
        }

        private static int randomDivisor(Random random, int n) {
            while (true) {
                int d = 1 + random.nextInt(n);
                if (n % d == 0) {
                    return d;
                }
            }
        }
    }
}
