package dev.streamnorm.operators.compat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * The {@code expected.json} written beside a committed savepoint: the configuration of the job that
 * took it and the keyed state it must hold, computed by replaying the job's input through the state
 * library (never read back from the savepoint). Doubles are written as round-trip decimals.
 *
 * <p>Train savepoints have {@code runningStats} and {@code pendingBatches}; online savepoints have
 * {@code ewMoments}.
 */
record ExpectedState(
        JobSettings job,
        @Nullable Map<String, Stats> runningStats,
        @Nullable Map<String, List<Record>> pendingBatches,
        @Nullable Map<String, Moments> ewMoments) {

    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    static ExpectedState read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ExpectedState.class);
    }

    void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    /** Each key's running stats. */
    Map<String, RunningStats> runningStatsByKey() {
        Map<String, RunningStats> byKey = new TreeMap<>();
        runningStats.forEach((key, stats) -> byKey.put(key, stats.toRunningStats()));
        return byKey;
    }

    /** Each key's records waiting in its open batch, in arrival order. */
    Map<String, List<FeatureRecord>> pendingByKey() {
        Map<String, List<FeatureRecord>> byKey = new TreeMap<>();
        pendingBatches.forEach(
                (key, records) -> {
                    List<FeatureRecord> list = new ArrayList<>();
                    records.forEach(r -> list.add(r.toFeatureRecord()));
                    byKey.put(key, list);
                });
        return byKey;
    }

    /** Each key's exponentially weighted moments. */
    Map<String, ExponentialMoments> ewMomentsByKey() {
        Map<String, ExponentialMoments> byKey = new TreeMap<>();
        ewMoments.forEach((key, moments) -> byKey.put(key, moments.toExponentialMoments()));
        return byKey;
    }

    /** The settings of the job that took the savepoint. */
    record JobSettings(
            String mode,
            int channels,
            int batchSize,
            double momentum,
            double eps,
            @Nullable double[] weight,
            @Nullable double[] bias,
            int parallelism) {

        /** A builder configured like the job that took the savepoint, in {@code mode}. */
        NormalizationBuilder builder(Mode mode) {
            return Normalization.builder()
                    .setMode(mode)
                    .setShape(RecordShape.vector(channels))
                    .setBatchSize(batchSize)
                    .setBatchTimeout(Duration.ZERO)
                    .setMomentum(Momentum.of(momentum))
                    .setEps(eps)
                    .setAffine(affine());
        }

        Affine affine() {
            return weight == null && bias == null ? Affine.identity() : Affine.of(weight, bias);
        }
    }

    /** Running stats of one key. */
    record Stats(double[] mean, double[] variance, long numBatchesTracked) {
        static Stats of(RunningStats stats) {
            return new Stats(stats.meanArray(), stats.varianceArray(), stats.numBatchesTracked());
        }

        RunningStats toRunningStats() {
            return RunningStats.of(mean.clone(), variance.clone(), numBatchesTracked);
        }
    }

    /** Exponentially weighted moments of one key. */
    record Moments(long count, double[] mean, double[] variance) {
        static Moments of(ExponentialMoments moments) {
            double[] mean = new double[moments.size()];
            double[] variance = new double[moments.size()];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = moments.mean(i);
                variance[i] = moments.variance(i);
            }
            return new Moments(moments.count(), mean, variance);
        }

        ExponentialMoments toExponentialMoments() {
            return ExponentialMoments.of(count, mean.clone(), variance.clone());
        }
    }

    /** A record of a pending batch, as the job received it (origin: a line of a file). */
    record Record(
            String key, long timestamp, double[] values, String payload, String file, long line) {
        static Record of(FeatureRecord record) {
            return new Record(
                    record.key(),
                    record.timestamp(),
                    record.values().clone(),
                    new String(record.payload(), StandardCharsets.UTF_8),
                    record.origin().name(),
                    record.origin().position());
        }

        FeatureRecord toFeatureRecord() {
            return new FeatureRecord(
                    key,
                    timestamp,
                    values.clone(),
                    payload.getBytes(StandardCharsets.UTF_8),
                    Origin.file(file, line));
        }
    }
}
