package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An independent model of global-scope batch norm, written from DESIGN.md §2 and the {@code
 * BatchStatsCoordinator} javadoc rather than from the project's numeric classes: records grouped
 * into event-time tumbling batches, batch mean and variance by two passes over the batch, the
 * update rules written out, and {@code y = (x − mean) / sqrt(var + eps) · weight + bias}.
 */
final class GlobalReference {
    /** Relative tolerance of every comparison of doubles (DESIGN: 1e-12). */
    static final double TOLERANCE = 1e-12;

    /** Expected normalized values by record id. */
    final Map<Long, double[]> outputs = new HashMap<>();

    /** The running statistics before the first batch and after each batch, in order. */
    final List<RunningStats> snapshots = new ArrayList<>();

    private final Normalization config;
    private final RecordShape shape;
    private double[] mean;
    private double[] variance;
    private long batches;

    private GlobalReference(Normalization config, RecordShape shape) {
        this.config = config;
        this.shape = shape;
    }

    /** The train-mode outcome of {@code records} (none of them late). */
    static GlobalReference train(
            Normalization config, RecordShape shape, List<FeatureRecord> records) {
        GlobalReference reference = new GlobalReference(config, shape);
        RunningStats initial =
                config.initialStats()
                        .lookup(StatsTable.ANY_KEY)
                        .orElseGet(() -> RunningStats.initial(shape.channels()));
        reference.mean = initial.meanArray();
        reference.variance = initial.varianceArray();
        reference.batches = initial.numBatchesTracked();
        reference.snapshot();
        for (List<FeatureRecord> batch : batches(records, config.batchInterval().toMillis())) {
            reference.trainStep(batch);
        }
        return reference;
    }

    /** The online-mode outcome of {@code records} (none of them late). */
    static GlobalReference online(
            Normalization config, RecordShape shape, List<FeatureRecord> records) {
        GlobalReference reference = new GlobalReference(config, shape);
        for (List<FeatureRecord> batch : batches(records, config.batchInterval().toMillis())) {
            reference.onlineStep(batch);
        }
        return reference;
    }

    /** The records grouped by tumbling window of {@code interval} ms, windows in time order. */
    static List<List<FeatureRecord>> batches(List<FeatureRecord> records, long interval) {
        TreeMap<Long, List<FeatureRecord>> windows = new TreeMap<>();
        for (FeatureRecord record : records) {
            long start = record.timestamp() - Math.floorMod(record.timestamp(), interval);
            windows.computeIfAbsent(start, w -> new ArrayList<>()).add(record);
        }
        return new ArrayList<>(windows.values());
    }

    private void trainStep(List<FeatureRecord> batch) {
        int channels = shape.channels();
        long n = (long) batch.size() * shape.positions();
        if (n < 2) {
            normalizeAll(batch, mean, variance, true);
            snapshot();
            return;
        }
        double[] batchMean = batchMean(batch);
        double[] squares = sumOfSquaredDeviations(batch, batchMean);
        double[] biased = new double[channels];
        for (int c = 0; c < channels; c++) {
            biased[c] = squares[c] / n;
        }
        normalizeAll(batch, batchMean, biased, true);
        batches++;
        boolean keras = config.convention() == Convention.KERAS;
        double take;
        if (keras) {
            take = 1 - config.momentum().value();
        } else if (config.momentum().isCumulative()) {
            take = 1.0 / batches;
        } else {
            take = config.momentum().value();
        }
        for (int c = 0; c < channels; c++) {
            double folded = keras ? biased[c] : squares[c] / (n - 1);
            mean[c] = (1 - take) * mean[c] + take * batchMean[c];
            variance[c] = (1 - take) * variance[c] + take * folded;
        }
        snapshot();
    }

    private void onlineStep(List<FeatureRecord> batch) {
        int channels = shape.channels();
        long n = (long) batch.size() * shape.positions();
        double[] batchMean = batchMean(batch);
        double[] squares = sumOfSquaredDeviations(batch, batchMean);
        double m = config.momentum().value();
        if (mean == null) {
            mean = batchMean;
            variance = new double[channels];
            for (int c = 0; c < channels; c++) {
                variance[c] = squares[c] / n;
            }
        } else {
            for (int c = 0; c < channels; c++) {
                double d = batchMean[c] - mean[c];
                mean[c] += m * d;
                variance[c] = (1 - m) * (variance[c] + m * d * d) + m * (squares[c] / n);
            }
        }
        batches++;
        snapshot();
        normalizeAll(batch, mean, variance, false);
    }

    private double[] batchMean(List<FeatureRecord> batch) {
        int positions = shape.positions();
        double[] sum = new double[shape.channels()];
        for (FeatureRecord record : batch) {
            for (int i = 0; i < shape.size(); i++) {
                sum[i / positions] += record.values()[i];
            }
        }
        double n = (double) batch.size() * positions;
        for (int c = 0; c < sum.length; c++) {
            sum[c] /= n;
        }
        return sum;
    }

    private double[] sumOfSquaredDeviations(List<FeatureRecord> batch, double[] batchMean) {
        int positions = shape.positions();
        double[] squares = new double[shape.channels()];
        for (FeatureRecord record : batch) {
            for (int i = 0; i < shape.size(); i++) {
                double d = record.values()[i] - batchMean[i / positions];
                squares[i / positions] += d * d;
            }
        }
        return squares;
    }

    private void normalizeAll(
            List<FeatureRecord> batch, double[] mean, double[] variance, boolean affine) {
        for (FeatureRecord record : batch) {
            outputs.put(
                    GlobalScopeData.id(record), normalize(record.values(), mean, variance, affine));
        }
    }

    /** {@code (x − mean) / sqrt(var + eps) · weight + bias}, per channel. */
    double[] normalize(double[] x, double[] mean, double[] variance, boolean affine) {
        int positions = shape.positions();
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = i / positions;
            double z = (x[i] - mean[c]) / Math.sqrt(variance[c] + config.eps());
            y[i] = affine ? z * config.affine().weight(c) + config.affine().bias(c) : z;
        }
        return y;
    }

    private void snapshot() {
        snapshots.add(RunningStats.of(mean.clone(), variance.clone(), batches));
    }

    /** The running statistics after the last batch. */
    RunningStats finalStats() {
        return snapshots.get(snapshots.size() - 1);
    }

    /** Asserts {@code actual} equals {@code expected} to {@link #TOLERANCE}, value by value. */
    static void assertClose(double[] actual, double[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1.0, Math.max(Math.abs(actual[i]), Math.abs(expected[i])));
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("%s[%s]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(TOLERANCE * scale);
        }
    }

    /** Asserts running statistics equal to {@link #TOLERANCE}, with the same batch count. */
    static void assertClose(RunningStats actual, RunningStats expected, String what) {
        assertThat(actual.numBatchesTracked())
                .as(what + " num_batches_tracked")
                .isEqualTo(expected.numBatchesTracked());
        assertClose(actual.meanArray(), expected.meanArray(), what + " mean");
        assertClose(actual.varianceArray(), expected.varianceArray(), what + " variance");
    }

    /** Asserts every record's output, by id, to {@link #TOLERANCE}. */
    static void assertOutputs(
            Map<Long, double[]> actual, Map<Long, double[]> expected, String what) {
        assertThat(actual.keySet()).as(what + " record ids").isEqualTo(expected.keySet());
        for (Map.Entry<Long, double[]> e : expected.entrySet()) {
            assertClose(actual.get(e.getKey()), e.getValue(), what + " record " + e.getKey());
        }
    }
}
