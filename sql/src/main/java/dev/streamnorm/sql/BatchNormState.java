package dev.streamnorm.sql;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.ChannelMomentsSerializer;
import dev.streamnorm.state.typeutils.ExponentialMomentsSerializer;
import dev.streamnorm.state.typeutils.RunningStatsSerializer;
import java.util.Iterator;
import javax.annotation.Nullable;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.dataview.ListView;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeUtils;
import org.apache.flink.types.Row;

/**
 * The managed keyed state of {@code BATCH_NORM} for the current {@code PARTITION BY} key, as one
 * call of the function sees it. These names and layouts are a contract: savepoints hold them.
 *
 * <ul>
 *   <li>{@link #BATCH}, a row: the open count batch's size, record length and event-time deadline
 *       (read and written by Flink around every call, so it holds only these small values).
 *   <li>{@link #RUNNING_STATS} and {@link #EW_MOMENTS}, lists of at most one element: the key's
 *       running stats and online-mode moments, the {@code state} module's types stored with their
 *       own versioned serializers, read only when needed.
 *   <li>{@link #ROWS}, a list: the input rows of the open batch (event-time batches: of every open
 *       window), in arrival order.
 *   <li>{@link #WINDOWS}, a map: the moments of each open event-time window, by its start.
 * </ul>
 */
final class BatchNormState {
    static final String BATCH = "batch";
    static final String RUNNING_STATS = "running_stats";
    static final String EW_MOMENTS = "ew_moments";
    static final String ROWS = "batch_rows";
    static final String WINDOWS = "window_moments";

    private static final int PENDING = 0;
    private static final int LENGTH = 1;
    private static final int DEADLINE = 2;

    private final Row batch;
    private final ListView<RunningStats> runningStats;
    private final ListView<ExponentialMoments> moments;
    final ListView<RowData> rows;
    final MapView<Long, ChannelMoments> windows;

    BatchNormState(
            Row batch,
            ListView<RunningStats> runningStats,
            ListView<ExponentialMoments> moments,
            ListView<RowData> rows,
            MapView<Long, ChannelMoments> windows) {
        this.batch = batch;
        this.runningStats = runningStats;
        this.moments = moments;
        this.rows = rows;
        this.windows = windows;
    }

    /** The type of {@link #BATCH}. */
    static DataType batchType() {
        return DataTypes.ROW(
                DataTypes.FIELD("pending", DataTypes.INT()),
                DataTypes.FIELD("length", DataTypes.INT()),
                DataTypes.FIELD("deadline", DataTypes.BIGINT()));
    }

    /** The type of {@link #RUNNING_STATS}. */
    static DataType runningStatsType() {
        return ListView.newListViewDataType(
                DataTypes.RAW(RunningStats.class, RunningStatsSerializer.INSTANCE));
    }

    /** The type of {@link #EW_MOMENTS}. */
    static DataType momentsType() {
        return ListView.newListViewDataType(
                DataTypes.RAW(ExponentialMoments.class, ExponentialMomentsSerializer.INSTANCE));
    }

    /** The type of {@link #ROWS} for input rows of type {@code input}: Flink's internal rows. */
    static DataType rowsType(RowType input) {
        return ListView.newListViewDataType(
                DataTypes.of(LogicalTypeUtils.removeTimeAttributes(input))
                        .bridgedTo(RowData.class));
    }

    /** The type of {@link #WINDOWS}. */
    static DataType windowsType() {
        return MapView.newMapViewDataType(
                DataTypes.BIGINT().notNull(),
                DataTypes.RAW(ChannelMoments.class, ChannelMomentsSerializer.INSTANCE));
    }

    @Nullable
    RunningStats runningStats() throws Exception {
        return only(runningStats.get());
    }

    void setRunningStats(RunningStats stats) throws Exception {
        runningStats.clear();
        runningStats.add(stats);
    }

    @Nullable
    ExponentialMoments moments() throws Exception {
        return only(moments.get());
    }

    void setMoments(ExponentialMoments next) throws Exception {
        moments.clear();
        moments.add(next);
    }

    /** The number of rows in the open count batch. */
    int pending() {
        Integer pending = (Integer) batch.getField(PENDING);
        return pending == null ? 0 : pending;
    }

    /** The record length of the open count batch (-1: no open batch). */
    int length() {
        Integer length = (Integer) batch.getField(LENGTH);
        return length == null ? -1 : length;
    }

    @Nullable
    Long deadline() {
        return (Long) batch.getField(DEADLINE);
    }

    void setPending(int pending, int length) {
        batch.setField(PENDING, pending);
        batch.setField(LENGTH, length);
    }

    void setDeadline(long deadline) {
        batch.setField(DEADLINE, deadline);
    }

    /** Forgets the closed count batch. */
    void clearBatch() {
        rows.clear();
        batch.setField(PENDING, null);
        batch.setField(LENGTH, null);
        batch.setField(DEADLINE, null);
    }

    @Nullable
    private static <T> T only(@Nullable Iterable<T> values) {
        if (values == null) {
            return null;
        }
        Iterator<T> it = values.iterator();
        return it.hasNext() ? it.next() : null;
    }
}
