package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.internal.RecordCheck;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Global scope, stage 1 (every subtask): tags each record with its event-time batch and passes it
 * on, and accumulates this subtask's partial moments of each batch. When the watermark passes a
 * batch's end, the partial goes to the merger ({@link BatchStatsOperator}), before the watermark
 * does, so the merger has every partial of a batch when its own watermark passes.
 *
 * <p>Records that cannot be normalized pass on as {@link GlobalMessages#BAD}, records whose batch
 * has closed as {@link GlobalMessages#LATE}; neither joins a partial. The watermark is part of the
 * checkpoint: Flink does not restore watermarks, and without it a record that was late before a
 * failure would, replayed, reopen a batch that has already closed.
 */
final class PartialMomentsOperator extends AbstractStreamOperator<Tuple2<Long, FeatureRecord>>
        implements OneInputStreamOperator<FeatureRecord, Tuple2<Long, FeatureRecord>> {
    private static final long serialVersionUID = 1L;

    /** The partial moments, to the merger. */
    static final OutputTag<Tuple3<Long, Integer, ChannelMoments>> PARTIALS =
            new OutputTag<>("partial-moments", GlobalMessages.PARTIAL);

    private final RecordShape shape;
    private final long interval;

    private transient TreeMap<Long, ChannelMoments> partials;
    private transient ListState<Tuple3<Long, Integer, ChannelMoments>> partialsState;
    private transient ListState<Long> watermarkState;
    private transient long watermark;

    PartialMomentsOperator(Normalization config, RecordShape shape) {
        this.shape = shape;
        this.interval = config.batchInterval().toMillis();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        partialsState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "partial-moments", GlobalMessages.PARTIAL));
        watermarkState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("watermark", Types.LONG));
        partials = new TreeMap<>();
        // Its own watermark after a failover; the lowest one after rescaling (none: a new subtask).
        watermark = Long.MIN_VALUE;
        boolean restored = false;
        for (Long mark : watermarkState.get()) {
            watermark = restored ? Math.min(watermark, mark) : mark;
            restored = true;
        }
        for (Tuple3<Long, Integer, ChannelMoments> partial : partialsState.get()) {
            partials.merge(
                    partial.f0,
                    partial.f2,
                    (a, b) -> {
                        a.combine(b);
                        return a;
                    });
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Tuple3<Long, Integer, ChannelMoments>> list = new ArrayList<>();
        for (Map.Entry<Long, ChannelMoments> e : partials.entrySet()) {
            list.add(Tuple3.of(e.getKey(), subtask(), e.getValue()));
        }
        partialsState.update(list);
        watermarkState.update(List.of(watermark));
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public void processElement(StreamRecord<FeatureRecord> element) {
        FeatureRecord record = element.getValue();
        long window;
        if (RecordCheck.check(record, shape.size(), shape) != null) {
            window = GlobalMessages.BAD;
        } else {
            long time =
                    record.timestamp() != FeatureRecord.NO_TIMESTAMP
                            ? record.timestamp()
                            : element.hasTimestamp()
                                    ? element.getTimestamp()
                                    : FeatureRecord.NO_TIMESTAMP;
            window = GlobalMessages.windowStart(time, interval);
            if (time == FeatureRecord.NO_TIMESTAMP || window + interval - 1 <= watermark) {
                window = GlobalMessages.LATE;
            } else {
                partials.computeIfAbsent(window, w -> new ChannelMoments(shape.channels()))
                        .acceptRecord(record.values(), shape);
            }
        }
        output.collect(element.replace(Tuple2.of(window, record)));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        while (!partials.isEmpty() && partials.firstKey() + interval - 1 <= watermark) {
            Map.Entry<Long, ChannelMoments> closed = partials.pollFirstEntry();
            output.collect(
                    PARTIALS,
                    new StreamRecord<>(
                            Tuple3.of(closed.getKey(), subtask(), closed.getValue()),
                            closed.getKey() + interval - 1));
        }
        super.processWatermark(mark);
    }
}
