package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.internal.OpenBatch;
import dev.streamnorm.state.typeutils.VersionedSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link OpenBatch}.
 *
 * <p>Format v1: {@code byte 1, int recordLength, int size, long deadline}.
 */
public final class OpenBatchSerializer extends VersionedSerializer<OpenBatch> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final OpenBatchSerializer INSTANCE = new OpenBatchSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "OpenBatch";
    }

    @Override
    public OpenBatch createInstance() {
        return new OpenBatch(1, 0, OpenBatch.NO_DEADLINE);
    }

    @Override
    public OpenBatch copy(OpenBatch from) {
        return new OpenBatch(from.recordLength(), from.size(), from.deadline());
    }

    @Override
    protected void writeBody(OpenBatch batch, DataOutputView out) throws IOException {
        out.writeInt(batch.recordLength());
        out.writeInt(batch.size());
        out.writeLong(batch.deadline());
    }

    @Override
    protected OpenBatch readBody(int version, DataInputView in) throws IOException {
        int recordLength = in.readInt();
        int size = in.readInt();
        return new OpenBatch(recordLength, size, in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<OpenBatch> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link OpenBatchSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<OpenBatch> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
