package dev.streamnorm.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamnorm.operators.FeatureRecord;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Plain two-pass batch-norm arithmetic, written independently of the code under test, and a
 * deterministic record generator.
 */
final class Reference {
    private Reference() {}

    /** Per-channel mean of records shaped {@code channels} × {@code positions}. */
    static double[] mean(List<double[]> records, int channels, int positions) {
        double[] mean = new double[channels];
        for (double[] r : records) {
            for (int c = 0; c < channels; c++) {
                for (int l = 0; l < positions; l++) {
                    mean[c] += r[c * positions + l];
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            mean[c] /= (double) records.size() * positions;
        }
        return mean;
    }

    /** Per-channel sum of squared deviations from {@code mean}. */
    static double[] m2(List<double[]> records, double[] mean, int positions) {
        double[] m2 = new double[mean.length];
        for (double[] r : records) {
            for (int c = 0; c < mean.length; c++) {
                for (int l = 0; l < positions; l++) {
                    double d = r[c * positions + l] - mean[c];
                    m2[c] += d * d;
                }
            }
        }
        return m2;
    }

    /** {@code (x − mean) / sqrt(var + eps) · weight + bias} per channel. */
    static double[] normalize(
            double[] x,
            double[] mean,
            double[] variance,
            double eps,
            double[] weight,
            double[] bias,
            int positions) {
        double[] y = new double[x.length];
        for (int c = 0; c < mean.length; c++) {
            for (int l = 0; l < positions; l++) {
                int i = c * positions + l;
                y[i] = (x[i] - mean[c]) / Math.sqrt(variance[c] + eps) * weight[c] + bias[c];
            }
        }
        return y;
    }

    static double[] filled(int n, double value) {
        double[] a = new double[n];
        Arrays.fill(a, value);
        return a;
    }

    /** Asserts {@code got} and {@code expected} agree to 1e-12 relative (1e-12 absolute). */
    static void assertNear(double[] got, double[] expected) {
        assertThat(got).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(got[i])
                    .as("index %s", i)
                    .isCloseTo(expected[i], within(1e-12 * Math.max(1, Math.abs(expected[i]))));
        }
    }

    /** Values of {@code size} drawn from N(offset, 2²), deterministic for a seeded random. */
    static double[] values(SplittableRandom random, int size) {
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            v[i] = 3 * random.nextDouble() - 1 + 2 * gaussian(random);
        }
        return v;
    }

    static FeatureRecord record(String key, long ts, SplittableRandom random, int size) {
        return FeatureRecord.of(key, ts, values(random, size));
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
