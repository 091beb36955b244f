package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.ChannelMoments;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link ChannelMoments}.
 *
 * <p>Format v1: {@code byte 1, int C, long[C] count, double[C] mean, double[C] m2}.
 */
public final class ChannelMomentsSerializer extends VersionedSerializer<ChannelMoments> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final ChannelMomentsSerializer INSTANCE = new ChannelMomentsSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "ChannelMoments";
    }

    @Override
    public ChannelMoments createInstance() {
        return new ChannelMoments(1);
    }

    @Override
    public ChannelMoments copy(ChannelMoments from) {
        return from.copy();
    }

    @Override
    protected void writeBody(ChannelMoments value, DataOutputView out) throws IOException {
        int channels = value.channels();
        out.writeInt(channels);
        for (int c = 0; c < channels; c++) {
            out.writeLong(value.count(c));
        }
        for (int c = 0; c < channels; c++) {
            out.writeDouble(value.mean(c));
        }
        for (int c = 0; c < channels; c++) {
            out.writeDouble(value.m2(c));
        }
    }

    @Override
    protected ChannelMoments readBody(int version, DataInputView in) throws IOException {
        int channels = readLength(in, "ChannelMoments");
        long[] count = new long[channels];
        for (int c = 0; c < channels; c++) {
            count[c] = in.readLong();
        }
        double[] mean = DoubleArrays.read(in, channels);
        double[] m2 = DoubleArrays.read(in, channels);
        return ChannelMoments.of(count, mean, m2);
    }

    @Override
    public TypeSerializerSnapshot<ChannelMoments> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link ChannelMomentsSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<ChannelMoments> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
