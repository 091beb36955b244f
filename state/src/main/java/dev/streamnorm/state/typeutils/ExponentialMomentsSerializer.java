package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.ExponentialMoments;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link ExponentialMoments}.
 *
 * <p>Format v1: {@code byte 1, long count, int size, double[size] mean, double[size] variance}.
 */
public final class ExponentialMomentsSerializer extends VersionedSerializer<ExponentialMoments> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final ExponentialMomentsSerializer INSTANCE = new ExponentialMomentsSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "ExponentialMoments";
    }

    @Override
    public ExponentialMoments createInstance() {
        return new ExponentialMoments(1);
    }

    @Override
    public ExponentialMoments copy(ExponentialMoments from) {
        return from.copy();
    }

    @Override
    protected void writeBody(ExponentialMoments value, DataOutputView out) throws IOException {
        out.writeLong(value.count());
        int size = value.size();
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeDouble(value.mean(i));
        }
        for (int i = 0; i < size; i++) {
            out.writeDouble(value.variance(i));
        }
    }

    @Override
    protected ExponentialMoments readBody(int version, DataInputView in) throws IOException {
        long count = in.readLong();
        int size = readLength(in, "ExponentialMoments");
        double[] mean = DoubleArrays.read(in, size);
        double[] variance = DoubleArrays.read(in, size);
        return ExponentialMoments.of(count, mean, variance);
    }

    @Override
    public TypeSerializerSnapshot<ExponentialMoments> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link ExponentialMomentsSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<ExponentialMoments> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
