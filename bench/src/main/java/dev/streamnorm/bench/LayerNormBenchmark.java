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
 * LayerNorm over whole records of 64 features with an affine per element, on 1024 records. Reported
 * per element (1024 × 64 per invocation).
 *
 * <p>{@link #streamnorm} uses {@link SegmentNorm#layer}; {@link #plainLoop} runs Welford over the
 * record, then {@code (x − mean) · invStd · weight[i] + bias[i]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LayerNormBenchmark {
    static final int RECORDS = 1024;
    static final int FEATURES = BenchData.FEATURES;

    private double[][] records;

    private SegmentNorm layerNorm;
    private double[][] streamnormOut;

    private double[] weight;
    private double[] bias;
    private double[][] plainOut;

    @Setup
    public void setUp() {
        SplittableRandom random = BenchData.random(3);
        records = BenchData.records(random, RECORDS, FEATURES);
        Affine affine = BenchData.affine(random, FEATURES);

        layerNorm =
                SegmentNorm.layer(RecordShape.vector(FEATURES), FEATURES, BenchData.EPS, affine);
        streamnormOut = new double[RECORDS][FEATURES];

        weight = BenchData.weights(affine, FEATURES);
        bias = BenchData.biases(affine, FEATURES);
        plainOut = new double[RECORDS][FEATURES];

        layerStreamnorm();
        layerPlain();
        BenchData.checkSame("layer-norm output", streamnormOut, plainOut);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * FEATURES)
    public void streamnorm(Blackhole bh) {
        layerStreamnorm();
        bh.consume(streamnormOut);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * FEATURES)
    public void plainLoop(Blackhole bh) {
        layerPlain();
        bh.consume(plainOut);
    }

    private void layerStreamnorm() {
        for (int r = 0; r < RECORDS; r++) {
            layerNorm.apply(records[r], streamnormOut[r]);
        }
    }

    private void layerPlain() {
        double[] weight = this.weight;
        double[] bias = this.bias;
        for (int r = 0; r < RECORDS; r++) {
            double[] x = records[r];
            double[] y = plainOut[r];
            double mean = 0.0;
            double m2 = 0.0;
            for (int i = 0; i < x.length; i++) {
                double delta = x[i] - mean;
                mean += delta / (i + 1);
                m2 += delta * (x[i] - mean);
            }
            double inverseStd = 1.0 / Math.sqrt(m2 / x.length + BenchData.EPS);
            for (int i = 0; i < x.length; i++) {
                y[i] = (x[i] - mean) * inverseStd * weight[i] + bias[i];
            }
        }
    }
}
