package dev.streamnorm.operators.compat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Train mode with count batches, replayed key by key with the state library alone: what the keyed
 * operator's running stats, pending batches and outputs must be after the same records.
 *
 * <p>It accumulates a batch's moments record by record and closes it with {@link
 * BatchNorm#closeBatch}, as the operator does, so its doubles are bit-identical to the operator's.
 */
final class TrainReplay {
    private final BatchNorm layer;
    private final int batchSize;
    private final Map<String, RunningStats> stats = new TreeMap<>();
    private final Map<String, List<FeatureRecord>> pending = new TreeMap<>();

    TrainReplay(BatchNorm layer, int batchSize) {
        this.layer = layer;
        this.batchSize = batchSize;
    }

    /** A replay that continues from restored running stats and pending batches. */
    static TrainReplay restored(
            BatchNorm layer,
            int batchSize,
            Map<String, RunningStats> stats,
            Map<String, List<FeatureRecord>> pending) {
        TrainReplay replay = new TrainReplay(layer, batchSize);
        stats.forEach((key, s) -> replay.stats.put(key, s.copy()));
        pending.forEach((key, records) -> replay.pending.put(key, new ArrayList<>(records)));
        return replay;
    }

    /**
     * The sorted output and final-stats {@link Lines} of {@code train} restored from {@code
     * expected}'s state and run over {@code input} to its end.
     */
    static List<String> restoredRunLines(
            Normalization train, ExpectedState expected, List<FeatureRecord> input) {
        TrainReplay replay =
                restored(
                        train.batchNorm(RecordShape.vector(expected.job().channels())),
                        expected.job().batchSize(),
                        expected.runningStatsByKey(),
                        expected.pendingByKey());
        List<String> lines = new ArrayList<>();
        for (FeatureRecord record : input) {
            replay.accept(record).forEach(r -> lines.add(Lines.output(r)));
        }
        replay.flush().forEach(r -> lines.add(Lines.output(r)));
        replay.stats().forEach((key, s) -> lines.add(Lines.finalStats(key, s)));
        Collections.sort(lines);
        return lines;
    }

    /** Adds a record to its key's batch; returns the normalized batch if the record closed it. */
    List<FeatureRecord> accept(FeatureRecord record) {
        List<FeatureRecord> batch = pending.computeIfAbsent(record.key(), k -> new ArrayList<>());
        batch.add(record.copy());
        if (batch.size() < batchSize) {
            return List.of();
        }
        pending.remove(record.key());
        return close(record.key(), batch);
    }

    /** Closes every partial batch, as the end of bounded input does; returns their outputs. */
    List<FeatureRecord> flush() {
        List<FeatureRecord> out = new ArrayList<>();
        pending.forEach((key, batch) -> out.addAll(close(key, batch)));
        pending.clear();
        return out;
    }

    private List<FeatureRecord> close(String key, List<FeatureRecord> batch) {
        int channels = layer.shape().channels();
        ChannelMoments moments = new ChannelMoments(channels);
        moments.acceptBatch(
                batch.stream().map(FeatureRecord::values).toArray(double[][]::new),
                batch.size(),
                layer.shape());
        RunningStats current = stats.getOrDefault(key, RunningStats.initial(channels));
        ChannelNormalizer normalizer = layer.newNormalizer();
        if (layer.closeBatch(moments, current, normalizer)) {
            stats.put(key, current);
        }
        List<FeatureRecord> out = new ArrayList<>();
        for (FeatureRecord record : batch) {
            FeatureRecord normalized = record.copy();
            normalizer.apply(normalized.values(), normalized.values());
            out.add(normalized);
        }
        return out;
    }

    /** The running stats of every key that closed a batch of more than one value. */
    Map<String, RunningStats> stats() {
        return stats;
    }

    /** The records of every key's open batch, in arrival order. */
    Map<String, List<FeatureRecord>> pending() {
        return pending;
    }
}
