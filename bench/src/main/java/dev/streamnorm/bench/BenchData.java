package dev.streamnorm.bench;

import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RunningStats;
import java.util.SplittableRandom;

/** Deterministic inputs shared by the benchmarks: every run sees the same numbers. */
final class BenchData {
    /** The seed of every generator, so both sides of a pair and every fork see the same data. */
    static final long SEED = 20_240_531L;

    /** Features per record in every benchmark (shape 64x1). */
    static final int FEATURES = 64;

    /** The eps of every normalization. */
    static final double EPS = 1e-5;

    private BenchData() {}

    /** A generator seeded with {@link #SEED} plus {@code stream}, so inputs differ per use. */
    static SplittableRandom random(int stream) {
        return new SplittableRandom(SEED + stream);
    }

    /**
     * {@code records} records of {@code features} values, feature f drawn around its own mean
     * (between -5 and 5) with its own spread (between 0.5 and 3).
     */
    static double[][] records(SplittableRandom random, int records, int features) {
        double[] center = new double[features];
        double[] spread = new double[features];
        for (int f = 0; f < features; f++) {
            center[f] = random.nextDouble(-5.0, 5.0);
            spread[f] = random.nextDouble(0.5, 3.0);
        }
        double[][] values = new double[records][features];
        for (int r = 0; r < records; r++) {
            for (int f = 0; f < features; f++) {
                values[r][f] = center[f] + spread[f] * gaussian(random);
            }
        }
        return values;
    }

    /** {@code n} values uniform in {@code [low, high)}. */
    static double[] uniform(SplittableRandom random, int n, double low, double high) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextDouble(low, high);
        }
        return values;
    }

    /** A random affine transform of {@code n} entries: weight in [0.5, 1.5), bias in [-1, 1). */
    static Affine affine(SplittableRandom random, int n) {
        return Affine.of(uniform(random, n, 0.5, 1.5), uniform(random, n, -1.0, 1.0));
    }

    /** Trained-looking running stats: means in [-5, 5), variances in [0.25, 9), 100 batches. */
    static RunningStats runningStats(SplittableRandom random, int channels) {
        return RunningStats.of(
                uniform(random, channels, -5.0, 5.0), uniform(random, channels, 0.25, 9.0), 100L);
    }

    /** The weights of {@code affine} as an array of {@code n}. */
    static double[] weights(Affine affine, int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = affine.weight(i);
        }
        return w;
    }

    /** The biases of {@code affine} as an array of {@code n}. */
    static double[] biases(Affine affine, int n) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = affine.bias(i);
        }
        return b;
    }

    /**
     * Fails the run unless both sides of a pair produced the same outputs (to a relative 1e-12), so
     * a benchmark can never compare two different computations.
     */
    static void checkSame(String what, double[][] streamnorm, double[][] plain) {
        for (int r = 0; r < streamnorm.length; r++) {
            for (int i = 0; i < streamnorm[r].length; i++) {
                checkSame(what, streamnorm[r][i], plain[r][i], r, i);
            }
        }
    }

    /** As {@link #checkSame(String, double[][], double[][])}, for one array. */
    static void checkSame(String what, double[] streamnorm, double[] plain) {
        for (int i = 0; i < streamnorm.length; i++) {
            checkSame(what, streamnorm[i], plain[i], 0, i);
        }
    }

    private static void checkSame(String what, double a, double b, int r, int i) {
        double tolerance = 1e-12 * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
        if (!(Math.abs(a - b) <= tolerance)) {
            throw new IllegalStateException(
                    String.format(
                            "%s: streamnorm and plain loop differ at [%d][%d]: %s vs %s",
                            what, r, i, a, b));
        }
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }
}
