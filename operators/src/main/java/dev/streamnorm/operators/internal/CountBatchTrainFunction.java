package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.typeutils.PendingBatchTypeInfoFactory;
import dev.streamnorm.state.RecordShape;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;

/**
 * Train mode with count batches: every {@code batch-size} records of a key form a mini-batch. A
 * partial batch closes after {@code batch-timeout} (processing time) and at the end of bounded
 * input, when its operator ({@link CountBatchTrainOperator}) calls {@link #closeOpenBatch}: no
 * timer per batch for that.
 *
 * <p>The open batch of a key is one state value, {@link PendingBatch}: its records and its timeout
 * deadline. The batch's moments and the running stats are computed and read only when it closes.
 * The batch and its timers are cleared when it closes.
 */
final class CountBatchTrainFunction extends BatchTrainFunction {
    private static final long serialVersionUID = 1L;

    /** The state holding a key's open batch. */
    static ValueStateDescriptor<PendingBatch> pendingBatch() {
        return new ValueStateDescriptor<>("pending-batch", PendingBatchTypeInfoFactory.TYPE_INFO);
    }

    private transient ValueState<PendingBatch> pending;
    private transient PendingBatch.Scratch scratch;

    CountBatchTrainFunction(Normalization config) {
        super(config);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        pending = getRuntimeContext().getState(pendingBatch());
        scratch = new PendingBatch.Scratch();
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out)
            throws Exception {
        PendingBatch batch = pending.value();
        int expected =
                batch != null && config.shape() == null
                        ? batch.recordLength()
                        : expectedLength(ctx.getCurrentKey());
        if (!accept(record, expected, ctx)) {
            return;
        }
        RecordShape shape = shapeOf(record.values().length);
        if (batch == null) {
            batch = new PendingBatch(shape.size(), config.batchSize());
            startTimers(batch, ctx.timerService());
        }
        batch.add(record);
        if (batch.size() >= config.batchSize()) {
            close(ctx.getCurrentKey(), batch, shape, ctx.timerService(), out);
        } else {
            pending.update(batch);
        }
    }

    /**
     * Closes the current key's open batch: its timeout timer fired, or (in savepoints of the first
     * release) its end-of-input timer.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRecord> out)
            throws Exception {
        closeOpenBatch(ctx.getCurrentKey(), ctx.timerService(), out);
    }

    /** Closes the current key's open batch, if it has one. */
    void closeOpenBatch(String key, TimerService timers, Collector<FeatureRecord> out)
            throws Exception {
        PendingBatch batch = pending.value();
        if (batch != null) {
            RecordShape shape =
                    config.shape() != null
                            ? config.shape()
                            : RecordShape.vector(batch.recordLength());
            close(key, batch, shape, timers, out);
        }
    }

    private void startTimers(PendingBatch batch, TimerService timers) {
        if (!config.batchTimeout().isZero()) {
            long deadline = timers.currentProcessingTime() + config.batchTimeout().toMillis();
            timers.registerProcessingTimeTimer(deadline);
            batch.setDeadline(deadline);
        }
    }

    private void close(
            String key,
            PendingBatch batch,
            RecordShape shape,
            TimerService timers,
            Collector<FeatureRecord> out)
            throws Exception {
        closeBatch(key, batch.moments(shape, scratch), shape, batch.records(key), out);
        pending.clear();
        if (batch.deadline() != PendingBatch.NO_DEADLINE) {
            timers.deleteProcessingTimeTimer(batch.deadline());
        }
    }
}
