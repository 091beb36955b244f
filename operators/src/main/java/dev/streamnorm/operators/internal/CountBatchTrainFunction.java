package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.typeutils.OpenBatchTypeInfoFactory;
import dev.streamnorm.operators.typeutils.PendingRecordSerializer;
import dev.streamnorm.state.RecordShape;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
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
 * <p>A key's open batch is two states: its records, in a list state that each record is appended to
 * ({@link #pendingRecords}; the first record is put, the others appended), and a small {@link
 * OpenBatch} (count, record length, timeout deadline). The records are read once, when the batch
 * closes; the record that fills a batch is not stored at all. With RocksDB an append is a merge, so
 * a record costs O(its own size) whatever the batch size. The batch's moments and the running stats
 * are computed and read only when it closes; the batch and its timers are cleared then.
 */
final class CountBatchTrainFunction extends BatchTrainFunction {
    private static final long serialVersionUID = 1L;

    /** The state holding the count, record length and deadline of a key's open batch. */
    static ValueStateDescriptor<OpenBatch> openBatch() {
        return new ValueStateDescriptor<>("open-batch", OpenBatchTypeInfoFactory.TYPE_INFO);
    }

    /**
     * The state holding the records of a key's open batch, in arrival order (the name and type of
     * the first release's, so its savepoints' records restore in place).
     */
    static ListStateDescriptor<FeatureRecord> pendingRecords() {
        return new ListStateDescriptor<>(
                CountBatchTrainOperator.LEGACY_RECORDS, PendingRecordSerializer.TYPE_INFO);
    }

    private transient ValueState<OpenBatch> open;
    private transient ListState<FeatureRecord> pending;
    private transient ClosingBatch closing;

    CountBatchTrainFunction(Normalization config) {
        super(config);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        open = getRuntimeContext().getState(openBatch());
        pending = getRuntimeContext().getListState(pendingRecords());
        closing = new ClosingBatch();
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out)
            throws Exception {
        OpenBatch batch = open.value();
        int expected =
                batch != null && config.shape() == null
                        ? batch.recordLength()
                        : expectedLength(ctx.getCurrentKey());
        if (!accept(record, expected, ctx)) {
            return;
        }
        RecordShape shape = shapeOf(record.values().length);
        boolean first = batch == null;
        if (first) {
            batch = new OpenBatch(shape.size(), 0, startTimers(ctx.timerService()));
        }
        batch.add();
        if (batch.size() >= config.batchSize()) {
            ClosingBatch records = closing.clear();
            if (!first) {
                records.addAll(pending.get());
            }
            records.add(record);
            close(ctx.getCurrentKey(), batch, records, shape, ctx.timerService(), out);
        } else {
            if (first) {
                // A put, not a merge: a RocksDB read of the batch stops at the put's level instead
                // of looking for older entries in every level, which made closing many open batches
                // (end of input, timeouts) take minutes with a million keys.
                pending.update(List.of(record));
            } else {
                pending.add(record);
            }
            open.update(batch);
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
        OpenBatch batch = open.value();
        if (batch != null) {
            RecordShape shape =
                    config.shape() != null
                            ? config.shape()
                            : RecordShape.vector(batch.recordLength());
            ClosingBatch records = closing.clear();
            records.addAll(pending.get());
            close(key, batch, records, shape, timers, out);
        }
    }

    /** Registers the timeout timer of a new batch; returns its deadline. */
    private long startTimers(TimerService timers) {
        if (config.batchTimeout().isZero()) {
            return OpenBatch.NO_DEADLINE;
        }
        long deadline = timers.currentProcessingTime() + config.batchTimeout().toMillis();
        timers.registerProcessingTimeTimer(deadline);
        return deadline;
    }

    private void close(
            String key,
            OpenBatch batch,
            ClosingBatch records,
            RecordShape shape,
            TimerService timers,
            Collector<FeatureRecord> out)
            throws Exception {
        if (records.size() != batch.size()) {
            throw new IllegalStateException(
                    "open batch of key "
                            + key
                            + " counts "
                            + batch.size()
                            + " records, its state holds "
                            + records.size());
        }
        closeBatch(key, records.moments(shape), shape, records.records(), out);
        records.clear();
        pending.clear();
        open.clear();
        if (batch.deadline() != OpenBatch.NO_DEADLINE) {
            timers.deleteProcessingTimeTimer(batch.deadline());
        }
    }
}
