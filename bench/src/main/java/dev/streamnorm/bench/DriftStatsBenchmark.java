package dev.streamnorm.bench;

import dev.streamnorm.state.DriftStats;
import dev.streamnorm.state.RunningStats;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-record cost of {@code --drift}: {@link DriftStats#accept} on 1024 records × 64 features
 * against frozen running stats (live mean and variance, decile histogram). Reported per element.
 *
 * <p>{@link #streamnorm} calls {@code accept} per record; {@link #plainLoop} does the same math
 * inline on primitive arrays, with the bin edges precomputed once and a linear scan for the bin.
 * Compare with {@code BatchNormEvalBenchmark.streamnorm}, the normalization itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DriftStatsBenchmark {
    static final int RECORDS = 1024;
    static final int FEATURES = BenchData.FEATURES;
    static final double MOMENTUM = 0.01;
    static final int BINS = 10;

    private double[][] records;
    private RunningStats served;
    private DriftStats drift;

    private double[] edges;
    private double[] mean;
    private double[] variance;
    private double[] histogram;
    private boolean started;

    @Setup
    public void setUp() {
        SplittableRandom random = BenchData.random(7);
        records = BenchData.records(random, RECORDS, FEATURES);
        served = BenchData.runningStats(random, FEATURES);
        edges = new double[FEATURES * (BINS - 1)];
        for (int c = 0; c < FEATURES; c++) {
            double std = Math.sqrt(served.variance(c) + BenchData.EPS);
            for (int k = 1; k < BINS; k++) {
                edges[c * (BINS - 1) + k - 1] = served.mean(c) + std * DriftStats.normalDecile(k);
            }
        }
        drift = new DriftStats(FEATURES);
        mean = new double[FEATURES];
        variance = new double[FEATURES];
        histogram = new double[FEATURES * BINS];
        driftStreamnorm();
        driftPlain();
        double[][] fromStreamnorm = new double[3][];
        fromStreamnorm[0] = new double[FEATURES];
        fromStreamnorm[1] = new double[FEATURES];
        fromStreamnorm[2] = new double[FEATURES * BINS];
        for (int c = 0; c < FEATURES; c++) {
            fromStreamnorm[0][c] = drift.mean(c);
            fromStreamnorm[1][c] = drift.variance(c);
            for (int k = 0; k < BINS; k++) {
                fromStreamnorm[2][c * BINS + k] = drift.histogram(c, k);
            }
        }
        BenchData.checkSame(
                "drift stats", fromStreamnorm, new double[][] {mean, variance, histogram});
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * FEATURES)
    public void streamnorm(Blackhole bh) {
        driftStreamnorm();
        bh.consume(drift);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * FEATURES)
    public void plainLoop(Blackhole bh) {
        driftPlain();
        bh.consume(histogram);
    }

    private void driftStreamnorm() {
        for (int r = 0; r < RECORDS; r++) {
            drift.accept(records[r], 1, served, BenchData.EPS, MOMENTUM);
        }
    }

    private void driftPlain() {
        double keep = 1 - MOMENTUM;
        for (int r = 0; r < RECORDS; r++) {
            double[] x = records[r];
            for (int c = 0; c < FEATURES; c++) {
                int bin = 0;
                while (bin < BINS - 1 && x[c] >= edges[c * (BINS - 1) + bin]) {
                    bin++;
                }
                if (!started) {
                    mean[c] = x[c];
                    histogram[c * BINS + bin] = 1.0;
                    continue;
                }
                double d = x[c] - mean[c];
                mean[c] += MOMENTUM * d;
                variance[c] = keep * (variance[c] + MOMENTUM * d * d);
                for (int k = 0; k < BINS; k++) {
                    histogram[c * BINS + k] *= keep;
                }
                histogram[c * BINS + bin] += MOMENTUM;
            }
            started = true;
        }
    }
}
