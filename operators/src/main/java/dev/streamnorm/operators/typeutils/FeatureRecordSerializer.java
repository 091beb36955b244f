package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.state.typeutils.DoubleArrays;
import dev.streamnorm.state.typeutils.VersionedSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serializer of {@link FeatureRecord}.
 *
 * <p>Format v1: {@code byte 1, string key, long timestamp, int n, double[n] values, int m, byte[m]
 * payload, origin (byte kind, then string name, int partition, long position unless kind is NONE)}.
 *
 * <p>Format v2 (current): v1 followed by {@code boolean hasStatsVersion, string statsVersion if
 * present}. v1 bytes (for example records pending in a train-mode savepoint) still read, without a
 * stats version.
 */
public final class FeatureRecordSerializer extends VersionedSerializer<FeatureRecord> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final FeatureRecordSerializer INSTANCE = new FeatureRecordSerializer();

    @Override
    public int currentVersion() {
        return 2;
    }

    @Override
    protected String typeName() {
        return "FeatureRecord";
    }

    @Override
    public FeatureRecord createInstance() {
        return FeatureRecord.of("", FeatureRecord.NO_TIMESTAMP);
    }

    @Override
    public FeatureRecord copy(FeatureRecord from) {
        return from.copy();
    }

    @Override
    protected void writeBody(FeatureRecord record, DataOutputView out) throws IOException {
        StringValue.writeString(record.key(), out);
        out.writeLong(record.timestamp());
        double[] values = record.values();
        out.writeInt(values.length);
        DoubleArrays.write(values, out);
        OriginCodec.writeBytes(record.payload(), out);
        OriginCodec.write(record.origin(), out);
        String statsVersion = record.statsVersion();
        out.writeBoolean(statsVersion != null);
        if (statsVersion != null) {
            StringValue.writeString(statsVersion, out);
        }
    }

    @Override
    protected FeatureRecord readBody(int version, DataInputView in) throws IOException {
        String key = StringValue.readString(in);
        long timestamp = in.readLong();
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("Corrupt FeatureRecord: " + length + " values");
        }
        double[] values = DoubleArrays.read(in, length);
        byte[] payload = OriginCodec.readBytes(in);
        Origin origin = OriginCodec.read(in);
        String statsVersion = version >= 2 && in.readBoolean() ? StringValue.readString(in) : null;
        return new FeatureRecord(key, timestamp, values, payload, origin, statsVersion);
    }

    @Override
    public TypeSerializerSnapshot<FeatureRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link FeatureRecordSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<FeatureRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
