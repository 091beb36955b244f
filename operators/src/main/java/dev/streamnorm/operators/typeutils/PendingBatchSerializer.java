package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.internal.PendingBatch;
import dev.streamnorm.state.typeutils.DoubleArrays;
import dev.streamnorm.state.typeutils.VersionedSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link PendingBatch}.
 *
 * <p>Format v1: {@code byte 1, int recordLength, long deadline, int n, then n times: long
 * timestamp, double[recordLength] values, int m, byte[m] payload, origin (as in FeatureRecord)}.
 */
public final class PendingBatchSerializer extends VersionedSerializer<PendingBatch> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final PendingBatchSerializer INSTANCE = new PendingBatchSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "PendingBatch";
    }

    @Override
    public PendingBatch createInstance() {
        return PendingBatch.of(
                1,
                PendingBatch.NO_DEADLINE,
                new long[0],
                new double[0][],
                new byte[0][],
                new Origin[0]);
    }

    @Override
    public PendingBatch copy(PendingBatch from) {
        return from.copy();
    }

    @Override
    protected void writeBody(PendingBatch batch, DataOutputView out) throws IOException {
        int length = batch.recordLength();
        out.writeInt(length);
        out.writeLong(batch.deadline());
        out.writeInt(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.writeLong(batch.timestamp(i));
            DoubleArrays.write(batch.values(i), length, out);
            OriginCodec.writeBytes(batch.payload(i), out);
            OriginCodec.write(batch.origin(i), out);
        }
    }

    @Override
    protected PendingBatch readBody(int version, DataInputView in) throws IOException {
        int length = in.readInt();
        if (length <= 0) {
            throw new IOException("Corrupt PendingBatch: record length " + length);
        }
        long deadline = in.readLong();
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("Corrupt PendingBatch: " + size + " records");
        }
        long[] timestamps = new long[size];
        double[][] values = new double[size][];
        byte[][] payloads = new byte[size][];
        Origin[] origins = new Origin[size];
        for (int i = 0; i < size; i++) {
            timestamps[i] = in.readLong();
            values[i] = DoubleArrays.read(in, length);
            payloads[i] = OriginCodec.readBytes(in);
            origins[i] = OriginCodec.read(in);
        }
        return PendingBatch.of(length, deadline, timestamps, values, payloads, origins);
    }

    @Override
    public TypeSerializerSnapshot<PendingBatch> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link PendingBatchSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<PendingBatch> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
