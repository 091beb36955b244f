package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.typeutils.PendingRecordSerializer;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.typeutils.ChannelMomentsTypeInfoFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/**
 * Train mode with event-time batches: the records of a key in one tumbling window of {@code
 * batch-interval} form a mini-batch, closed when the watermark passes the window's end (and so at
 * the end of bounded input). Windows close in time order, so the running stats advance in order.
 *
 * <p>A record whose window has already closed (late), or that has no event time, is normalized at
 * once with the running stats and does not update them (metric {@code lateRecords}).
 */
final class IntervalBatchTrainFunction extends BatchTrainFunction {
    private static final long serialVersionUID = 1L;

    private transient MapState<Long, ChannelMoments> windows;
    private transient ListState<FeatureRecord> pending;

    IntervalBatchTrainFunction(Normalization config) {
        super(config);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        windows =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "window-moments",
                                        Types.LONG,
                                        ChannelMomentsTypeInfoFactory.TYPE_INFO));
        pending =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-records", PendingRecordSerializer.TYPE_INFO));
    }

    private long interval() {
        return config.batchInterval().toMillis();
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out)
            throws Exception {
        int expected = expectedLength(ctx.getCurrentKey());
        if (expected < 0 && config.shape() == null && !windows.isEmpty()) {
            expected = windows.values().iterator().next().channels();
        }
        if (!accept(record, expected, ctx)) {
            return;
        }
        RecordShape shape = shapeOf(record.values().length);
        watchEndOfInput(ctx.timerService());
        long time = eventTime(record, ctx);
        long windowStart = time - Math.floorMod(time, interval());
        long windowEnd = windowStart + interval() - 1;
        if (time == FeatureRecord.NO_TIMESTAMP
                || windowEnd <= ctx.timerService().currentWatermark()) {
            normalizeLate(record, shape, ctx.getCurrentKey(), out);
            return;
        }
        ChannelMoments batch = windows.get(windowStart);
        if (batch == null) {
            batch = new ChannelMoments(shape.channels());
            ctx.timerService().registerEventTimeTimer(windowEnd);
        }
        batch.acceptRecord(record.values(), shape);
        windows.put(windowStart, batch);
        pending.add(record.timestamp() == time ? record : record.withTimestamp(time));
    }

    private static long eventTime(FeatureRecord record, Context ctx) {
        if (record.timestamp() != FeatureRecord.NO_TIMESTAMP) {
            return record.timestamp();
        }
        Long streamTime = ctx.timestamp();
        return streamTime != null ? streamTime : FeatureRecord.NO_TIMESTAMP;
    }

    private void normalizeLate(
            FeatureRecord record, RecordShape shape, String key, Collector<FeatureRecord> out)
            throws Exception {
        metrics.lateRecords.inc();
        ChannelNormalizer normalizer = normalizer(shape);
        normalizer.useRunningStats(currentStats(key, shape));
        normalizer.apply(record.values(), record.values());
        emit(record, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRecord> out)
            throws Exception {
        if (timestamp == END_OF_INPUT) {
            endOfInput(ctx.getCurrentKey(), ctx);
            return;
        }
        long windowStart = timestamp - interval() + 1;
        ChannelMoments batch = windows.get(windowStart);
        if (batch == null) {
            return;
        }
        List<FeatureRecord> closing = new ArrayList<>();
        List<FeatureRecord> waiting = new ArrayList<>();
        for (FeatureRecord record : pending.get()) {
            long time = record.timestamp();
            (time - Math.floorMod(time, interval()) == windowStart ? closing : waiting).add(record);
        }
        RecordShape shape =
                config.shape() != null ? config.shape() : RecordShape.vector(batch.channels());
        closeBatch(ctx.getCurrentKey(), batch, shape, closing, out);
        windows.remove(windowStart);
        pending.update(waiting);
    }
}
