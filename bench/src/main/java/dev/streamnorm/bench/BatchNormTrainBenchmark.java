package dev.streamnorm.bench;

import dev.streamnorm.state.Affine;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.UpdatePolicy;
import java.util.Arrays;
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
 * One BatchNorm training step on a batch of 32 records × 64 features (shape 64x1): batch moments,
 * normalization of the batch with its own mean and biased variance, and the PyTorch running-stats
 * update (momentum 0.1, unbiased variance). Reported per element (32 × 64 per invocation).
 *
 * <p>{@link #streamnorm} uses {@link ChannelMoments}, {@link BatchNorm#closeBatch} and {@link
 * ChannelNormalizer}; {@link #plainLoop} is the same arithmetic written inline on primitive arrays.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BatchNormTrainBenchmark {
    static final int RECORDS = 32;
    static final int FEATURES = BenchData.FEATURES;
    static final double MOMENTUM = 0.1;

    private double[][] records;

    private BatchNorm batchNorm;
    private ChannelMoments moments;
    private RunningStats stats;
    private ChannelNormalizer normalizer;
    private double[][] streamnormOut;

    private double[] weight;
    private double[] bias;
    private double[] mean;
    private double[] m2;
    private double[] scale;
    private double[] runningMean;
    private double[] runningVariance;
    private double[][] plainOut;

    @Setup
    public void setUp() {
        SplittableRandom random = BenchData.random(1);
        records = BenchData.records(random, RECORDS, FEATURES);
        Affine affine = BenchData.affine(random, FEATURES);

        RecordShape shape = RecordShape.vector(FEATURES);
        batchNorm = new BatchNorm(shape, BenchData.EPS, affine, UpdatePolicy.pytorch(MOMENTUM));
        moments = new ChannelMoments(FEATURES);
        stats = RunningStats.initial(FEATURES);
        normalizer = batchNorm.newNormalizer();
        streamnormOut = new double[RECORDS][FEATURES];

        weight = BenchData.weights(affine, FEATURES);
        bias = BenchData.biases(affine, FEATURES);
        mean = new double[FEATURES];
        m2 = new double[FEATURES];
        scale = new double[FEATURES];
        runningMean = new double[FEATURES];
        runningVariance = new double[FEATURES];
        Arrays.fill(runningVariance, 1.0);
        plainOut = new double[RECORDS][FEATURES];

        // One step of each from the same initial state must agree before anything is timed.
        trainStreamnorm();
        trainPlain();
        BenchData.checkSame("batch-norm train output", streamnormOut, plainOut);
        BenchData.checkSame("running mean", stats.meanArray(), runningMean);
        BenchData.checkSame("running variance", stats.varianceArray(), runningVariance);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * FEATURES)
    public void streamnorm(Blackhole bh) {
        trainStreamnorm();
        bh.consume(streamnormOut);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * FEATURES)
    public void plainLoop(Blackhole bh) {
        trainPlain();
        bh.consume(plainOut);
    }

    private void trainStreamnorm() {
        moments.reset();
        RecordShape shape = batchNorm.shape();
        for (double[] record : records) {
            moments.acceptRecord(record, shape);
        }
        batchNorm.closeBatch(moments, stats, normalizer);
        for (int r = 0; r < RECORDS; r++) {
            normalizer.apply(records[r], streamnormOut[r]);
        }
    }

    private void trainPlain() {
        double[] mean = this.mean;
        double[] m2 = this.m2;
        double[] scale = this.scale;
        double[] weight = this.weight;
        double[] bias = this.bias;
        int channels = mean.length;
        Arrays.fill(mean, 0.0);
        Arrays.fill(m2, 0.0);
        int n = 0;
        for (double[] x : records) {
            n++;
            for (int c = 0; c < channels; c++) {
                double delta = x[c] - mean[c];
                mean[c] += delta / n;
                m2[c] += delta * (x[c] - mean[c]);
            }
        }
        double keep = 1.0 - MOMENTUM;
        for (int c = 0; c < channels; c++) {
            scale[c] = weight[c] / Math.sqrt(m2[c] / n + BenchData.EPS);
            runningMean[c] = keep * runningMean[c] + MOMENTUM * mean[c];
            runningVariance[c] = keep * runningVariance[c] + MOMENTUM * (m2[c] / (n - 1));
        }
        for (int r = 0; r < RECORDS; r++) {
            double[] x = records[r];
            double[] y = plainOut[r];
            for (int c = 0; c < channels; c++) {
                y[c] = (x[c] - mean[c]) * scale[c] + bias[c];
            }
        }
    }
}
