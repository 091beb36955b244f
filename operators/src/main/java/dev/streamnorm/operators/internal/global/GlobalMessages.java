package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.ChannelMomentsTypeInfoFactory;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/**
 * What global scope keeps and sends: the state types (Flink tuples of types with their own
 * serializers, no Kryo) and the two operator events between the subtasks and the coordinator, whose
 * payloads are written with those serializers.
 */
final class GlobalMessages {
    /** A record with the start of its event-time batch (pending records in operator state). */
    static final TypeInformation<Tuple2<Long, FeatureRecord>> WINDOWED_RECORD =
            Types.TUPLE(Types.LONG, FeatureRecordTypeInfoFactory.TYPE_INFO);

    /** A subtask's partial moments of one batch: (batch start, subtask index, moments). */
    static final TypeInformation<Tuple3<Long, Integer, ChannelMoments>> PARTIAL =
            Types.TUPLE(Types.LONG, Types.INT, ChannelMomentsTypeInfoFactory.TYPE_INFO);

    /**
     * The merged outcome of one batch: (batch start, the statistics that normalize the batch, the
     * running statistics after it).
     */
    static final TypeInformation<Tuple3<Long, RunningStats, RunningStats>> BATCH_STATS =
            Types.TUPLE(
                    Types.LONG,
                    RunningStatsTypeInfoFactory.TYPE_INFO,
                    RunningStatsTypeInfoFactory.TYPE_INFO);

    static final TypeSerializer<Tuple3<Long, Integer, ChannelMoments>> PARTIAL_SERIALIZER =
            PARTIAL.createSerializer(new SerializerConfigImpl());
    static final TypeSerializer<Tuple3<Long, RunningStats, RunningStats>> BATCH_STATS_SERIALIZER =
            BATCH_STATS.createSerializer(new SerializerConfigImpl());

    /** The start of the tumbling window of {@code length} ms that holds {@code time}. */
    static long windowStart(long time, long length) {
        return time - Math.floorMod(time, length);
    }

    /**
     * Subtask to coordinator: this subtask's event-time progress, with the partial moments of the
     * batches that it closed (the watermark passed their end). {@code queries} are batches whose
     * records it holds without a partial of its own (after rescaling); {@code register} is set once
     * per start or restore, and then {@code partials} repeats every partial that has been sent but
     * not yet answered (the coordinator ignores what it already has).
     */
    static final class Report implements OperatorEvent {
        private static final long serialVersionUID = 1L;

        final long watermark;
        final boolean idle;
        final boolean register;
        private final byte[] partials;
        final long[] queries;

        Report(
                long watermark,
                boolean idle,
                boolean register,
                List<Tuple3<Long, Integer, ChannelMoments>> partials,
                long[] queries) {
            this.watermark = watermark;
            this.idle = idle;
            this.register = register;
            this.partials = encode(PARTIAL_SERIALIZER, partials);
            this.queries = queries;
        }

        List<Tuple3<Long, Integer, ChannelMoments>> partials() {
            return decode(PARTIAL_SERIALIZER, partials);
        }

        @Override
        public String toString() {
            return "Report{watermark="
                    + watermark
                    + ", idle="
                    + idle
                    + ", register="
                    + register
                    + "}";
        }
    }

    /**
     * Coordinator to subtasks: closed batches in order, batches closed without statistics the
     * coordinator still knows ({@code late}: normalize with the running statistics), and how far
     * batches have closed.
     */
    static final class Outcomes implements OperatorEvent {
        private static final long serialVersionUID = 1L;

        private final byte[] outcomes;
        final long[] late;
        final long closedUpTo;

        Outcomes(
                List<Tuple3<Long, RunningStats, RunningStats>> outcomes,
                long[] late,
                long closedUpTo) {
            this.outcomes = encode(BATCH_STATS_SERIALIZER, outcomes);
            this.late = late;
            this.closedUpTo = closedUpTo;
        }

        List<Tuple3<Long, RunningStats, RunningStats>> outcomes() {
            return decode(BATCH_STATS_SERIALIZER, outcomes);
        }

        @Override
        public String toString() {
            return "Outcomes{late=" + late.length + ", closedUpTo=" + closedUpTo + "}";
        }
    }

    static <T> byte[] encode(TypeSerializer<T> serializer, List<T> values) {
        DataOutputSerializer out = new DataOutputSerializer(256);
        try {
            writeList(serializer.duplicate(), values, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.getCopyOfBuffer();
    }

    static <T> List<T> decode(TypeSerializer<T> serializer, byte[] bytes) {
        try {
            return readList(serializer.duplicate(), new DataInputDeserializer(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> void writeList(TypeSerializer<T> serializer, List<T> values, DataOutputView out)
            throws IOException {
        out.writeInt(values.size());
        for (T value : values) {
            serializer.serialize(value, out);
        }
    }

    static <T> List<T> readList(TypeSerializer<T> serializer, DataInputView in) throws IOException {
        int size = in.readInt();
        List<T> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            values.add(serializer.deserialize(in));
        }
        return values;
    }

    private GlobalMessages() {}
}
