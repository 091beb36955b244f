package dev.streamnorm.operators.internal.global;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.typeutils.FeatureRecordSerializer;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.ChannelMomentsTypeInfoFactory;
import dev.streamnorm.state.typeutils.RunningStatsSerializer;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
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
 * serializers, no Kryo) and the operator events between the subtasks and the coordinator, whose
 * payloads are written with those serializers.
 */
final class GlobalMessages {
    /** A record with the start of its event-time batch (pending records in operator state). */
    static final TypeInformation<Tuple2<Long, FeatureRecord>> WINDOWED_RECORD =
            Types.TUPLE(Types.LONG, FeatureRecordTypeInfoFactory.TYPE_INFO);

    /**
     * A subtask's partial moments of one batch: (batch start, origin, moments). The origin ({@link
     * #origin}) names the subtask that accumulated them, uniquely across rescalings.
     */
    static final TypeInformation<Tuple3<Long, Integer, ChannelMoments>> PARTIAL =
            Types.TUPLE(Types.LONG, Types.INT, ChannelMomentsTypeInfoFactory.TYPE_INFO);

    /** The outcome of one batch: (batch start, the statistics that normalize the batch). */
    static final TypeInformation<Tuple2<Long, RunningStats>> OUTCOME =
            Types.TUPLE(Types.LONG, RunningStatsTypeInfoFactory.TYPE_INFO);

    static final TypeSerializer<Tuple3<Long, Integer, ChannelMoments>> PARTIAL_SERIALIZER =
            PARTIAL.createSerializer(new SerializerConfigImpl());
    static final TypeSerializer<Tuple2<Long, RunningStats>> OUTCOME_SERIALIZER =
            OUTCOME.createSerializer(new SerializerConfigImpl());
    static final TypeSerializer<Tuple2<Long, FeatureRecord>> WINDOWED_RECORD_SERIALIZER =
            WINDOWED_RECORD.createSerializer(new SerializerConfigImpl());

    /**
     * The most serialized bytes of records in one event (RPC frames are limited, 10 MB default).
     */
    static final int MAX_RECORD_BYTES_PER_EVENT = 1 << 20;

    /** Bits of the subtask index in an origin (Flink's maximum parallelism is 2^15). */
    private static final int SUBTASK_BITS = 16;

    /**
     * The origin of the partials of {@code subtask} in {@code generation}: the coordinator starts a
     * new generation at every restore at another parallelism, so the partials of the subtasks
     * before and after never share an origin.
     */
    static int origin(int generation, int subtask) {
        checkArgument(
                generation >= 0 && generation < (1 << (31 - SUBTASK_BITS)),
                "generation out of range: %s",
                generation);
        return (generation << SUBTASK_BITS) | subtask;
    }

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
     * Coordinator to subtasks: closed batches in order with what normalizes them, the running
     * statistics after them (none before the first batch in online mode), batches closed without
     * statistics the coordinator still knows ({@code late}: normalize with the running statistics),
     * and how far batches have closed.
     */
    static final class Outcomes implements OperatorEvent {
        private static final long serialVersionUID = 1L;

        private final byte[] outcomes;
        private final byte[] running;
        final long[] late;
        final long closedUpTo;

        Outcomes(
                List<Tuple2<Long, RunningStats>> outcomes,
                @Nullable RunningStats running,
                long[] late,
                long closedUpTo) {
            this.outcomes = encode(OUTCOME_SERIALIZER, outcomes);
            this.running = encodeOptional(running);
            this.late = late;
            this.closedUpTo = closedUpTo;
        }

        List<Tuple2<Long, RunningStats>> outcomes() {
            return decode(OUTCOME_SERIALIZER, outcomes);
        }

        @Nullable
        RunningStats running() {
            return decodeOptional(running);
        }

        @Override
        public String toString() {
            return "Outcomes{late=" + late.length + ", closedUpTo=" + closedUpTo + "}";
        }
    }

    /**
     * Coordinator to a subtask that registered: the generation of its partials' origins and the
     * latest running statistics (none before the first batch in online mode).
     */
    static final class Registered implements OperatorEvent {
        private static final long serialVersionUID = 1L;

        final int generation;
        private final byte[] running;

        Registered(int generation, @Nullable RunningStats running) {
            this.generation = generation;
            this.running = encodeOptional(running);
        }

        @Nullable
        RunningStats running() {
            return decodeOptional(running);
        }

        @Override
        public String toString() {
            return "Registered{generation=" + generation + "}";
        }
    }

    /**
     * Subtask to coordinator at the end of its input: the records it still holds (those of batches
     * not closed), in chunks of at most {@link #MAX_RECORD_BYTES_PER_EVENT}; {@code last} on the
     * final chunk. The coordinator answers with a {@link HandoffReply}.
     */
    static final class Handoff implements OperatorEvent {
        private static final long serialVersionUID = 1L;

        private final byte[] records;
        final boolean last;

        Handoff(byte[] records, boolean last) {
            this.records = records;
            this.last = last;
        }

        List<Tuple2<Long, FeatureRecord>> records() {
            return decode(WINDOWED_RECORD_SERIALIZER, records);
        }

        @Override
        public String toString() {
            return "Handoff{bytes=" + records.length + ", last=" + last + "}";
        }
    }

    /**
     * Coordinator to a subtask whose input has ended: {@code accepted}, the records of the batches
     * {@code taken} go to a subtask still running and this one finishes; else it is the last one
     * running and waits for every batch to close.
     */
    static final class HandoffReply implements OperatorEvent {
        private static final long serialVersionUID = 1L;

        final boolean accepted;
        final long[] taken;

        HandoffReply(boolean accepted, long[] taken) {
            this.accepted = accepted;
            this.taken = taken;
        }

        @Override
        public String toString() {
            return "HandoffReply{accepted=" + accepted + ", taken=" + taken.length + "}";
        }
    }

    /**
     * Coordinator to a running subtask: records that another subtask handed off, of the batch
     * starting at {@code batch}, to be normalized at once with {@code stats} ({@code late}: the
     * batch closed without them; {@code stats} are the running statistics).
     */
    static final class Adopted implements OperatorEvent {
        private static final long serialVersionUID = 1L;

        final long batch;
        final boolean late;
        private final byte[] stats;
        private final byte[] records;

        Adopted(long batch, boolean late, RunningStats stats, byte[] records) {
            this.batch = batch;
            this.late = late;
            this.stats = encode(RunningStatsSerializer.INSTANCE, List.of(stats));
            this.records = records;
        }

        RunningStats stats() {
            return decode(RunningStatsSerializer.INSTANCE, stats).get(0);
        }

        List<FeatureRecord> records() {
            return decode(FeatureRecordSerializer.INSTANCE, records);
        }

        @Override
        public String toString() {
            return "Adopted{batch=" + batch + ", late=" + late + "}";
        }
    }

    /**
     * {@code values} written as lists of at most about {@code maxBytes} each (a single value may
     * exceed it); one empty list when there are none.
     */
    static <T> List<byte[]> chunks(TypeSerializer<T> serializer, List<T> values, int maxBytes) {
        TypeSerializer<T> own = serializer.duplicate();
        List<byte[]> chunks = new ArrayList<>();
        DataOutputSerializer chunk = new DataOutputSerializer(256);
        int count = 0;
        try {
            for (T value : values) {
                own.serialize(value, chunk);
                count++;
                if (chunk.length() >= maxBytes) {
                    chunks.add(withCount(count, chunk));
                    chunk.clear();
                    count = 0;
                }
            }
            if (count > 0 || chunks.isEmpty()) {
                chunks.add(withCount(count, chunk));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return chunks;
    }

    private static byte[] withCount(int count, DataOutputSerializer values) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(values.length() + 4);
        out.writeInt(count);
        out.write(values.getSharedBuffer(), 0, values.length());
        return out.getCopyOfBuffer();
    }

    private static byte[] encodeOptional(@Nullable RunningStats stats) {
        return encode(RunningStatsSerializer.INSTANCE, stats == null ? List.of() : List.of(stats));
    }

    @Nullable
    private static RunningStats decodeOptional(byte[] bytes) {
        List<RunningStats> decoded = decode(RunningStatsSerializer.INSTANCE, bytes);
        return decoded.isEmpty() ? null : decoded.get(0);
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
