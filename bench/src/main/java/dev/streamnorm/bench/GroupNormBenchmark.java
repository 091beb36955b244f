package dev.streamnorm.bench;

import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.SegmentNorm;
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
 * GroupNorm of records of 64 channels × 1 position in 8 groups of 8 channels, affine per channel,
 * on 1024 records. Reported per element (1024 × 64 per invocation).
 *
 * <p>{@link #streamnorm} uses {@link SegmentNorm#group}; {@link #plainLoop} runs Welford over each
 * group, then {@code (x − mean) · invStd · weight[c] + bias[c]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GroupNormBenchmark {
    static final int RECORDS = 1024;
    static final int CHANNELS = BenchData.FEATURES;
    static final int GROUPS = 8;

    private double[][] records;

    private SegmentNorm groupNorm;
    private double[][] streamnormOut;

    private double[] weight;
    private double[] bias;
    private double[][] plainOut;

    @Setup
    public void setUp() {
        SplittableRandom random = BenchData.random(4);
        records = BenchData.records(random, RECORDS, CHANNELS);
        Affine affine = BenchData.affine(random, CHANNELS);

        groupNorm = SegmentNorm.group(RecordShape.of(CHANNELS, 1), GROUPS, BenchData.EPS, affine);
        streamnormOut = new double[RECORDS][CHANNELS];

        weight = BenchData.weights(affine, CHANNELS);
        bias = BenchData.biases(affine, CHANNELS);
        plainOut = new double[RECORDS][CHANNELS];

        groupStreamnorm();
        groupPlain();
        BenchData.checkSame("group-norm output", streamnormOut, plainOut);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * CHANNELS)
    public void streamnorm(Blackhole bh) {
        groupStreamnorm();
        bh.consume(streamnormOut);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * CHANNELS)
    public void plainLoop(Blackhole bh) {
        groupPlain();
        bh.consume(plainOut);
    }

    private void groupStreamnorm() {
        for (int r = 0; r < RECORDS; r++) {
            groupNorm.apply(records[r], streamnormOut[r]);
        }
    }

    private void groupPlain() {
        double[] weight = this.weight;
        double[] bias = this.bias;
        int groupSize = CHANNELS / GROUPS;
        for (int r = 0; r < RECORDS; r++) {
            double[] x = records[r];
            double[] y = plainOut[r];
            for (int start = 0; start < CHANNELS; start += groupSize) {
                int end = start + groupSize;
                double mean = 0.0;
                double m2 = 0.0;
                for (int i = start; i < end; i++) {
                    double delta = x[i] - mean;
                    mean += delta / (i - start + 1);
                    m2 += delta * (x[i] - mean);
                }
                double inverseStd = 1.0 / Math.sqrt(m2 / groupSize + BenchData.EPS);
                for (int c = start; c < end; c++) {
                    y[c] = (x[c] - mean) * inverseStd * weight[c] + bias[c];
                }
            }
        }
    }
}
