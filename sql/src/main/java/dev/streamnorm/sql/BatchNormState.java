package dev.streamnorm.sql;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.ChannelMomentsSerializer;
import dev.streamnorm.state.typeutils.ExponentialMomentsSerializer;
import dev.streamnorm.state.typeutils.RunningStatsSerializer;
import javax.annotation.Nullable;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.dataview.ListView;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeUtils;
import org.apache.flink.types.Row;

/**
 * The managed keyed state of {@code BATCH_NORM}, per {@code PARTITION BY} key. These names and
 * layouts are a contract: savepoints hold them.
 *
 * <ul>
 *   <li>{@link #KEY_STATE}, a row: the key's running stats and online-mode moments (the {@code
 *       state} module's types, stored with their own versioned serializers), and the open count
 *       batch's size, record length and event-time deadline.
 *   <li>{@link #ROWS_STATE}, a list: the input rows of the open batch (event-time batches: of every
 *       open window), in arrival order.
 *   <li>{@link #WINDOWS_STATE}, a map: the moments of each open event-time window, by its start.
 * </ul>
 *
 * <p>State objects are never changed in place: the runtime compares a state row before and after
 * each call to decide whether to write it, so a changed value is always a new object.
 */
final class BatchNormState {
    private BatchNormState() {}

    static final String KEY_STATE = "key_state";
    static final String ROWS_STATE = "batch_rows";
    static final String WINDOWS_STATE = "window_moments";

    static final int RUNNING_STATS = 0;
    static final int EW_MOMENTS = 1;
    static final int PENDING = 2;
    static final int LENGTH = 3;
    static final int DEADLINE = 4;

    /** The type of {@link #KEY_STATE}. */
    static DataType keyStateType() {
        return DataTypes.ROW(
                DataTypes.FIELD(
                        "running_stats",
                        DataTypes.RAW(RunningStats.class, RunningStatsSerializer.INSTANCE)),
                DataTypes.FIELD(
                        "ew_moments",
                        DataTypes.RAW(
                                ExponentialMoments.class, ExponentialMomentsSerializer.INSTANCE)),
                DataTypes.FIELD("pending", DataTypes.INT()),
                DataTypes.FIELD("length", DataTypes.INT()),
                DataTypes.FIELD("deadline", DataTypes.BIGINT()));
    }

    /** The type of {@link #ROWS_STATE} for input rows of type {@code input}. */
    static DataType rowsType(RowType input) {
        return ListView.newListViewDataType(
                DataTypes.of(LogicalTypeUtils.removeTimeAttributes(input)).bridgedTo(Row.class));
    }

    /** The type of {@link #WINDOWS_STATE}. */
    static DataType windowsType() {
        return MapView.newMapViewDataType(
                DataTypes.BIGINT().notNull(),
                DataTypes.RAW(ChannelMoments.class, ChannelMomentsSerializer.INSTANCE));
    }

    @Nullable
    static RunningStats runningStats(Row state) {
        return (RunningStats) state.getField(RUNNING_STATS);
    }

    @Nullable
    static ExponentialMoments moments(Row state) {
        return (ExponentialMoments) state.getField(EW_MOMENTS);
    }

    /** The number of rows in the open batch. */
    static int pending(Row state) {
        Integer pending = (Integer) state.getField(PENDING);
        return pending == null ? 0 : pending;
    }

    /** The record length of the open batch (-1: no open batch). */
    static int length(Row state) {
        Integer length = (Integer) state.getField(LENGTH);
        return length == null ? -1 : length;
    }
}
