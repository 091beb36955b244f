package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.ChannelMomentsTypeInfoFactory;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * The messages between the global-scope operators, as Flink tuples of types with their own
 * serializers (no Kryo).
 */
final class GlobalMessages {
    /** The window of a record that arrived after its batch closed. */
    static final long LATE = Long.MIN_VALUE;

    /** The window of a record that cannot be normalized (a dead letter). */
    static final long BAD = Long.MIN_VALUE + 1;

    /** A record with the start of its event-time batch (or {@link #LATE}). */
    static final TypeInformation<Tuple2<Long, FeatureRecord>> WINDOWED_RECORD =
            Types.TUPLE(Types.LONG, FeatureRecordTypeInfoFactory.TYPE_INFO);

    /** A subtask's partial moments of one batch: (batch start, subtask index, moments). */
    static final TypeInformation<Tuple3<Long, Integer, ChannelMoments>> PARTIAL =
            Types.TUPLE(Types.LONG, Types.INT, ChannelMomentsTypeInfoFactory.TYPE_INFO);

    /**
     * The merged outcome of one batch, broadcast to every subtask: (batch start, the statistics
     * that normalize the batch, the running statistics after it).
     */
    static final TypeInformation<Tuple3<Long, RunningStats, RunningStats>> BATCH_STATS =
            Types.TUPLE(
                    Types.LONG,
                    RunningStatsTypeInfoFactory.TYPE_INFO,
                    RunningStatsTypeInfoFactory.TYPE_INFO);

    /** The start of the tumbling window of {@code length} ms that holds {@code time}. */
    static long windowStart(long time, long length) {
        return time - Math.floorMod(time, length);
    }

    private GlobalMessages() {}
}
