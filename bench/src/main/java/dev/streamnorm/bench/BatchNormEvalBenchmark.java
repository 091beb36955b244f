package dev.streamnorm.bench;

import dev.streamnorm.state.Affine;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
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
 * Eval-mode BatchNorm of 1024 records × 64 features (shape 64x1) with frozen running stats and a
 * per-channel affine. Reported per element (1024 × 64 per invocation).
 *
 * <p>{@link #streamnorm} calls {@link ChannelNormalizer#apply} once per record, the normalizer set
 * once from {@link RunningStats}; {@link #plainLoop} computes {@code (x − mean) · scale + bias}
 * with precomputed per-feature arrays.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BatchNormEvalBenchmark {
    static final int RECORDS = 1024;
    static final int FEATURES = BenchData.FEATURES;

    private double[][] records;

    private ChannelNormalizer normalizer;
    private double[][] streamnormOut;

    private double[] mean;
    private double[] scale;
    private double[] bias;
    private double[][] plainOut;

    @Setup
    public void setUp() {
        SplittableRandom random = BenchData.random(2);
        records = BenchData.records(random, RECORDS, FEATURES);
        Affine affine = BenchData.affine(random, FEATURES);
        RunningStats stats = BenchData.runningStats(random, FEATURES);

        normalizer =
                new ChannelNormalizer(RecordShape.vector(FEATURES), BenchData.EPS, affine)
                        .useRunningStats(stats);
        streamnormOut = new double[RECORDS][FEATURES];

        mean = new double[FEATURES];
        scale = new double[FEATURES];
        bias = BenchData.biases(affine, FEATURES);
        for (int c = 0; c < FEATURES; c++) {
            mean[c] = stats.mean(c);
            scale[c] = affine.weight(c) / Math.sqrt(stats.variance(c) + BenchData.EPS);
        }
        plainOut = new double[RECORDS][FEATURES];

        evalStreamnorm();
        evalPlain();
        BenchData.checkSame("batch-norm eval output", streamnormOut, plainOut);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * FEATURES)
    public void streamnorm(Blackhole bh) {
        evalStreamnorm();
        bh.consume(streamnormOut);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * FEATURES)
    public void plainLoop(Blackhole bh) {
        evalPlain();
        bh.consume(plainOut);
    }

    private void evalStreamnorm() {
        for (int r = 0; r < RECORDS; r++) {
            normalizer.apply(records[r], streamnormOut[r]);
        }
    }

    private void evalPlain() {
        double[] mean = this.mean;
        double[] scale = this.scale;
        double[] bias = this.bias;
        for (int r = 0; r < RECORDS; r++) {
            double[] x = records[r];
            double[] y = plainOut[r];
            for (int c = 0; c < y.length; c++) {
                y[c] = (x[c] - mean[c]) * scale[c] + bias[c];
            }
        }
    }
}
