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
 * <p>Format v2: v1 followed by {@code boolean hasStatsVersion, string statsVersion if present}.
 *
 * <p>Format v3 (current): v2 followed by {@code int valuesStart, int valuesEnd}, the span of the
 * values' text in the payload ({@link FeatureRecord#NO_SPAN} twice when not known). v1 and v2 bytes
 * (for example records pending in a train-mode savepoint) still read, without a stats version or a
 * span.
 */
public class FeatureRecordSerializer extends VersionedSerializer<FeatureRecord> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final FeatureRecordSerializer INSTANCE = new FeatureRecordSerializer();

    FeatureRecordSerializer() {}

    @Override
    public int currentVersion() {
        return 3;
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
        writeFields(record, out);
        OriginCodec.writeBytes(record.payload(), out);
        writeTrailer(record, out, record.valuesStart(), record.valuesEnd());
    }

    /** Writes the fields before the payload: key, timestamp, values. */
    static void writeFields(FeatureRecord record, DataOutputView out) throws IOException {
        StringValue.writeString(record.key(), out);
        out.writeLong(record.timestamp());
        double[] values = record.values();
        out.writeInt(values.length);
        DoubleArrays.write(values, out);
    }

    /** Writes the fields after the payload: origin, stats version, the values span given. */
    static void writeTrailer(
            FeatureRecord record, DataOutputView out, int valuesStart, int valuesEnd)
            throws IOException {
        OriginCodec.write(record.origin(), out);
        String statsVersion = record.statsVersion();
        out.writeBoolean(statsVersion != null);
        if (statsVersion != null) {
            StringValue.writeString(statsVersion, out);
        }
        out.writeInt(valuesStart);
        out.writeInt(valuesEnd);
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
        int valuesStart = FeatureRecord.NO_SPAN;
        int valuesEnd = FeatureRecord.NO_SPAN;
        if (version >= 3) {
            valuesStart = in.readInt();
            valuesEnd = in.readInt();
        }
        return new FeatureRecord(
                key, timestamp, values, payload, origin, statsVersion, valuesStart, valuesEnd);
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
