package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.internal.NormMetrics;
import dev.streamnorm.operators.internal.RecordCheck;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Global scope, stage 3 (every subtask): holds each record until the merged statistics of its batch
 * arrive (input 2, broadcast) and the watermark passes the batch's end, then normalizes and emits
 * it. A record waits only for its own batch.
 *
 * <p>Dead letters leave here (side output {@link Normalization#DEAD_LETTERS}); late records are
 * normalized at once with the latest running statistics: those tagged late upstream, and those of a
 * batch that has already closed here (their subtask was idle while the others closed it). Subtask 0
 * emits the final running statistics at the end of bounded input when asked ({@link
 * Normalization#FINAL_STATS}).
 */
final class GlobalNormalizeOperator extends AbstractStreamOperator<FeatureRecord>
        implements TwoInputStreamOperator<
                Tuple2<Long, FeatureRecord>,
                Tuple3<Long, RunningStats, RunningStats>,
                FeatureRecord> {
    private static final long serialVersionUID = 1L;

    private final Normalization config;
    private final RecordShape shape;
    private final long interval;

    private transient TreeMap<Long, List<FeatureRecord>> waiting;
    private transient TreeMap<Long, RunningStats> batchStats;
    @Nullable private transient RunningStats latest;
    private transient long watermark;
    private transient ListState<Tuple2<Long, FeatureRecord>> waitingState;
    private transient ListState<Tuple3<Long, RunningStats, RunningStats>> statsState;
    private transient ChannelNormalizer normalizer;
    private transient NormMetrics metrics;

    GlobalNormalizeOperator(Normalization config, RecordShape shape) {
        this.config = config;
        this.shape = shape;
        this.interval = config.batchInterval().toMillis();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        waitingState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "waiting-records", GlobalMessages.WINDOWED_RECORD));
        // Every subtask received the same broadcast stats: union state survives rescaling.
        statsState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "batch-stats", GlobalMessages.BATCH_STATS));
        waiting = new TreeMap<>();
        batchStats = new TreeMap<>();
        watermark = Long.MIN_VALUE;
        latest = null;
        for (Tuple2<Long, FeatureRecord> record : waitingState.get()) {
            waiting.computeIfAbsent(record.f0, w -> new ArrayList<>()).add(record.f1);
        }
        for (Tuple3<Long, RunningStats, RunningStats> stats : statsState.get()) {
            accept(stats);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        normalizer = config.batchNorm(shape).newNormalizer();
        metrics = new NormMetrics(getMetricGroup());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Tuple2<Long, FeatureRecord>> records = new ArrayList<>();
        for (Map.Entry<Long, List<FeatureRecord>> e : waiting.entrySet()) {
            for (FeatureRecord record : e.getValue()) {
                records.add(Tuple2.of(e.getKey(), record));
            }
        }
        waitingState.update(records);
        List<Tuple3<Long, RunningStats, RunningStats>> stats = new ArrayList<>();
        for (Map.Entry<Long, RunningStats> e : batchStats.entrySet()) {
            stats.add(Tuple3.of(e.getKey(), e.getValue(), latest != null ? latest : e.getValue()));
        }
        if (stats.isEmpty() && latest != null) {
            stats.add(Tuple3.of(GlobalMessages.LATE, latest, latest));
        }
        statsState.update(stats);
    }

    @Override
    public void processElement1(StreamRecord<Tuple2<Long, FeatureRecord>> element) {
        long window = element.getValue().f0;
        FeatureRecord record = element.getValue().f1;
        if (window == GlobalMessages.BAD) {
            DeadLetter letter = RecordCheck.check(record, shape.size(), shape);
            metrics.deadLetter(letter.error());
            output.collect(Normalization.DEAD_LETTERS, new StreamRecord<>(letter));
        } else if (window == GlobalMessages.LATE || window + interval - 1 <= watermark) {
            emitLate(record, element.hasTimestamp() ? element.getTimestamp() : null);
        } else {
            waiting.computeIfAbsent(window, w -> new ArrayList<>()).add(record);
        }
    }

    @Override
    public void processElement2(StreamRecord<Tuple3<Long, RunningStats, RunningStats>> element) {
        accept(element.getValue());
    }

    private void accept(Tuple3<Long, RunningStats, RunningStats> stats) {
        if (stats.f0 != GlobalMessages.LATE) {
            batchStats.put(stats.f0, stats.f1);
        }
        if (stats.f2 != null
                && (latest == null || stats.f2.numBatchesTracked() >= latest.numBatchesTracked())) {
            latest = stats.f2;
        }
    }

    private void emitLate(FeatureRecord record, @Nullable Long timestamp) {
        metrics.lateRecords.inc();
        normalizer.useRunningStats(latestOrInitial());
        emit(record, timestamp);
    }

    private RunningStats latestOrInitial() {
        return latest != null
                ? latest
                : config.initialStats()
                        .lookup(StatsTable.ANY_KEY)
                        .orElseGet(() -> RunningStats.initial(shape.channels()));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long time = mark.getTimestamp();
        watermark = time;
        while (!waiting.isEmpty() && waiting.firstKey() + interval - 1 <= time) {
            Map.Entry<Long, List<FeatureRecord>> batch = waiting.pollFirstEntry();
            RunningStats stats = batchStats.get(batch.getKey());
            long end = batch.getKey() + interval - 1;
            if (stats == null) {
                // Only when a subtask was idle across a restore: the batch closed without it and
                // its stats were dropped here. Late, rather than a failure that repeats on restore.
                for (FeatureRecord record : batch.getValue()) {
                    emitLate(record, end);
                }
                continue;
            }
            normalizer.useRunningStats(stats);
            for (FeatureRecord record : batch.getValue()) {
                emit(record, end);
            }
        }
        if (time > Long.MIN_VALUE + interval) {
            batchStats.headMap(time - interval + 1, true).clear();
        }
        if (time == Long.MAX_VALUE
                && config.emitFinalStats()
                && latest != null
                && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            output.collect(
                    Normalization.FINAL_STATS,
                    new StreamRecord<>(Tuple2.of(StatsTable.ANY_KEY, latest)));
        }
        super.processWatermark(mark);
    }

    private void emit(FeatureRecord record, @Nullable Long timestamp) {
        normalizer.apply(record.values(), record.values());
        metrics.recordsNormalized.inc();
        long time = record.timestamp() != FeatureRecord.NO_TIMESTAMP ? record.timestamp() : -1;
        if (time >= 0 || timestamp != null) {
            output.collect(new StreamRecord<>(record, time >= 0 ? time : timestamp));
        } else {
            output.collect(new StreamRecord<>(record));
        }
    }
}
