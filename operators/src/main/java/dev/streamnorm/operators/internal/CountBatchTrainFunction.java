package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.typeutils.ChannelMomentsTypeInfoFactory;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;

/**
 * Train mode with count batches: every {@code batch-size} records of a key form a mini-batch. A
 * partial batch closes after {@code batch-timeout} (processing time) and at the end of bounded
 * input (an event-time timer at the end of time, which only the final watermark reaches).
 *
 * <p>The batch's moments are accumulated as records arrive, so closing a batch is one pass over its
 * records. Pending records, moments and timers are cleared when the batch closes.
 */
final class CountBatchTrainFunction extends BatchTrainFunction {
    private static final long serialVersionUID = 1L;

    private transient ValueState<ChannelMoments> moments;
    private transient ValueState<Long> timeoutTimer;

    CountBatchTrainFunction(Normalization config) {
        super(config);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        moments =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "batch-moments", ChannelMomentsTypeInfoFactory.TYPE_INFO));
        timeoutTimer =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("batch-timeout-timer", Types.LONG));
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out)
            throws Exception {
        ChannelMoments batch = moments.value();
        int expected =
                batch != null && config.shape() == null
                        ? batch.channels()
                        : expectedLength(ctx.getCurrentKey());
        if (!accept(record, expected, ctx)) {
            return;
        }
        RecordShape shape = shapeOf(record.values().length);
        watchEndOfInput(ctx.timerService());
        if (batch == null) {
            batch = new ChannelMoments(shape.channels());
            startTimers(ctx.timerService());
        }
        batch.acceptRecord(record.values(), shape);
        pending.add(record);
        if (batch.count(0) >= (long) config.batchSize() * shape.positions()) {
            close(ctx.getCurrentKey(), batch, shape, ctx.timerService(), out);
        } else {
            moments.update(batch);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRecord> out)
            throws Exception {
        ChannelMoments batch = moments.value();
        if (batch != null) {
            RecordShape shape =
                    config.shape() != null ? config.shape() : RecordShape.vector(batch.channels());
            close(ctx.getCurrentKey(), batch, shape, ctx.timerService(), out);
        }
        if (timestamp == END_OF_INPUT && ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            endOfInput(ctx.getCurrentKey(), ctx);
        }
    }

    private void startTimers(TimerService timers) throws Exception {
        timers.registerEventTimeTimer(END_OF_INPUT);
        if (!config.batchTimeout().isZero()) {
            long deadline = timers.currentProcessingTime() + config.batchTimeout().toMillis();
            timers.registerProcessingTimeTimer(deadline);
            timeoutTimer.update(deadline);
        }
    }

    private void close(
            String key,
            ChannelMoments batch,
            RecordShape shape,
            TimerService timers,
            Collector<FeatureRecord> out)
            throws Exception {
        closeBatch(key, batch, shape, pending.get(), out);
        pending.clear();
        moments.clear();
        if (!config.emitFinalStats()) {
            timers.deleteEventTimeTimer(END_OF_INPUT);
        }
        Long deadline = timeoutTimer.value();
        if (deadline != null) {
            timers.deleteProcessingTimeTimer(deadline);
            timeoutTimer.clear();
        }
    }
}
