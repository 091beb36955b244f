package dev.streamnorm.sql;

import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.ProcessTableFunction.Context;
import org.apache.flink.table.functions.ProcessTableFunction.OnTimerContext;
import org.apache.flink.table.functions.ProcessTableFunction.TimeContext;
import org.apache.flink.types.Row;

/**
 * What {@code BATCH_NORM} does with a row of a key, per mode, on the key's {@link BatchNormState}:
 * the same steps as the DataStream functions of train (count batches), eval and online mode, with
 * the {@code state} module's numerics.
 */
final class BatchNormRunner {
    /** The time of the timer that only the end of bounded input fires. */
    private static final long END_OF_INPUT = Long.MAX_VALUE;

    private final NormCall call;
    private final Normalization config;
    private final Consumer<RowData> out;
    private final ErrorCode[] error = new ErrorCode[1];
    private final Map<String, ChannelNormalizer> fromTable = new HashMap<>();
    @Nullable private BatchNorm layer;
    @Nullable private ChannelNormalizer normalizer;

    BatchNormRunner(NormCall call, Consumer<RowData> out) {
        this.call = call;
        this.config = call.config;
        this.out = out;
        for (String key : config.initialStats().keys()) {
            fromTable.put(key, frozen(config.initialStats().lookup(key).orElseThrow()));
        }
    }

    void process(Context ctx, BatchNormState state, Row input) throws Exception {
        if (config.mode() == Mode.EVAL) {
            eval(state, input);
        } else if (config.mode() == Mode.ONLINE) {
            online(state, input);
        } else if (config.batchInterval() != null) {
            windows(ctx, state, input);
        } else {
            train(ctx, state, input);
        }
    }

    void onTimer(OnTimerContext ctx, BatchNormState state) throws Exception {
        long time = ctx.timeContext(Long.class).time();
        if (config.batchInterval() != null) {
            closeWindow(state, time);
            return;
        }
        Long deadline = state.deadline();
        if (state.pending() > 0
                && (time == END_OF_INPUT || (deadline != null && deadline == time))) {
            closeBatch(state);
        }
    }

    private void train(Context ctx, BatchNormState state, Row input) throws Exception {
        int pending = state.pending();
        // The running stats are read only when the length is not known without them.
        int expected =
                config.shape() != null
                        ? config.shape().size()
                        : pending > 0 ? state.length() : expectedLength(state.runningStats());
        double[] values = call.read(input, expected, error);
        if (values == null) {
            out.accept(call.output(call.internal(input, null), null, error[0]));
            return;
        }
        if (pending == 0) {
            startBatch(ctx, state);
        }
        state.rows.add(call.internal(input, values));
        state.setPending(pending + 1, values.length);
        if (pending + 1 >= config.batchSize()) {
            closeBatch(state);
        }
    }

    private void startBatch(Context ctx, BatchNormState state) {
        TimeContext<Long> time = ctx.timeContext(Long.class);
        time.registerOnTime(END_OF_INPUT);
        Long now = time.time();
        if (now != null && !config.batchTimeout().isZero()) {
            long deadline = now + config.batchTimeout().toMillis();
            time.registerOnTime(deadline);
            state.setDeadline(deadline);
        }
    }

    /** Normalizes the open batch with its moments, folds them into the running stats, emits it. */
    private void closeBatch(BatchNormState state) throws Exception {
        List<RowData> batch = new ArrayList<>(state.pending());
        state.rows.get().forEach(batch::add);
        int length = state.length();
        RecordShape shape = shapeOf(length);
        double[][] values = new double[batch.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = call.read(batch.get(i), length, error);
        }
        ChannelMoments moments = new ChannelMoments(shape.channels());
        moments.acceptBatch(values, values.length, shape);
        normalizeBatch(state, moments, shape, batch, values);
        state.clearBatch();
    }

    /**
     * Normalizes the rows of a closing batch with its moments (or, for n = 1, the running stats),
     * folds the moments into the key's running stats and emits the rows.
     */
    private void normalizeBatch(
            BatchNormState state,
            ChannelMoments moments,
            RecordShape shape,
            List<RowData> batch,
            double[][] values)
            throws Exception {
        RunningStats stored = state.runningStats();
        RunningStats stats =
                stored != null
                        ? stored.copy()
                        : config.initialStats()
                                .lookup(call.key(batch.get(0)))
                                .orElseGet(() -> RunningStats.initial(shape.channels()));
        ChannelNormalizer batchNormalizer = normalizer(shape);
        if (layer.closeBatch(moments, stats, batchNormalizer)) {
            state.setRunningStats(stats);
        }
        for (int i = 0; i < values.length; i++) {
            batchNormalizer.apply(values[i], values[i]);
            out.accept(call.output(batch.get(i), values[i], null));
        }
    }

    /**
     * Train mode with event-time batches: the row joins its window's moments (Welford, in arrival
     * order) and waits until the watermark passes the window's end. Flink drops rows at or behind
     * the watermark before they reach the function, so no row is late here.
     */
    private void windows(Context ctx, BatchNormState state, Row input) throws Exception {
        MapView<Long, ChannelMoments> windows = state.windows;
        int expected = expectedLength(state.runningStats());
        if (expected < 0 && config.shape() == null && !windows.isEmpty()) {
            expected = windows.values().iterator().next().channels();
        }
        double[] values = call.read(input, expected, error);
        if (values == null) {
            out.accept(call.output(call.internal(input, null), null, error[0]));
            return;
        }
        RowData row = call.internal(input, values);
        RecordShape shape = shapeOf(values.length);
        long interval = config.batchInterval().toMillis();
        long time = call.time(row);
        long windowStart = time - Math.floorMod(time, interval);
        ChannelMoments moments = windows.get(windowStart);
        moments = moments == null ? new ChannelMoments(shape.channels()) : moments.copy();
        if (moments.minCount() == 0) {
            ctx.timeContext(Long.class).registerOnTime(windowStart + interval - 1);
        }
        moments.acceptRecord(values, shape);
        windows.put(windowStart, moments);
        state.rows.add(row);
    }

    /** Closes the window that ends at {@code time}: its rows with its moments, in arrival order. */
    private void closeWindow(BatchNormState state, long time) throws Exception {
        MapView<Long, ChannelMoments> windows = state.windows;
        long interval = config.batchInterval().toMillis();
        long windowStart = time - interval + 1;
        ChannelMoments moments = windows.get(windowStart);
        if (moments == null) {
            return;
        }
        List<RowData> closing = new ArrayList<>();
        List<RowData> waiting = new ArrayList<>();
        for (RowData row : state.rows.get()) {
            long rowTime = call.time(row);
            (rowTime - Math.floorMod(rowTime, interval) == windowStart ? closing : waiting)
                    .add(row);
        }
        RecordShape shape =
                config.shape() != null ? config.shape() : RecordShape.vector(moments.channels());
        double[][] values = new double[closing.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = call.read(closing.get(i), shape.size(), error);
        }
        normalizeBatch(state, moments, shape, closing, values);
        windows.remove(windowStart);
        state.rows.clear();
        state.rows.addAll(waiting);
    }

    private void eval(BatchNormState state, Row input) throws Exception {
        RowData row = call.internal(input, null);
        RunningStats restored = state.runningStats();
        ChannelNormalizer frozen = restored != null ? frozen(restored) : fromTable(call.key(row));
        double[] values =
                call.read(
                        input,
                        frozen != null ? frozen.shape().size() : expectedLength(null),
                        error);
        if (values == null) {
            out.accept(call.output(row, null, error[0]));
        } else if (frozen == null) {
            out.accept(call.output(row, null, ErrorCode.NO_STATS));
        } else {
            frozen.apply(values, values);
            out.accept(call.output(row, values, null));
        }
    }

    private void online(BatchNormState state, Row input) throws Exception {
        ExponentialMoments current = state.moments();
        int expected =
                config.shape() != null
                        ? config.shape().size()
                        : current != null ? current.size() : -1;
        double[] values = call.read(input, expected, error);
        RowData row = call.internal(input, null);
        if (values == null) {
            out.accept(call.output(row, null, error[0]));
            return;
        }
        ExponentialMoments next =
                current != null ? current.copy() : new ExponentialMoments(values.length);
        next.update(values, config.momentum().value());
        next.standardize(values, values, config.eps());
        state.setMoments(next);
        out.accept(call.output(row, values, null));
    }

    /**
     * The number of values a row of the key must have: the configured shape's, else its running
     * stats' channels, else the initial stats', else the affine's, else -1 (any).
     */
    private int expectedLength(@Nullable RunningStats stats) {
        if (config.shape() != null) {
            return config.shape().size();
        }
        if (stats != null) {
            return stats.channels();
        }
        if (!config.initialStats().isEmpty()) {
            return config.initialStats().channels();
        }
        return config.affine().isIdentity() ? -1 : config.affine().length();
    }

    @Nullable
    private ChannelNormalizer fromTable(String key) {
        ChannelNormalizer frozen = fromTable.get(key);
        return frozen != null ? frozen : fromTable.get(StatsTable.ANY_KEY);
    }

    private ChannelNormalizer frozen(RunningStats stats) {
        RecordShape shape =
                config.shape() != null ? config.shape() : RecordShape.vector(stats.channels());
        return config.batchNorm(shape).newNormalizer().useRunningStats(stats);
    }

    private RecordShape shapeOf(int length) {
        return config.shape() != null ? config.shape() : RecordShape.vector(length);
    }

    /** The reusable normalizer of the layer for {@code shape}. */
    private ChannelNormalizer normalizer(RecordShape shape) {
        if (layer == null || !layer.shape().equals(shape)) {
            layer = config.batchNorm(shape);
            normalizer = layer.newNormalizer();
        }
        return normalizer;
    }
}
