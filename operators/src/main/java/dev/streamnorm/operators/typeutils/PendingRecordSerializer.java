package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.state.typeutils.StateTypeInfo;
import dev.streamnorm.state.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of the records of a key's open train batch (the {@code pending-records} state): {@link
 * FeatureRecordSerializer}'s format, with the text of the values in the payload replaced by {@code
 * []} when its span is known. The values are stored as doubles beside it, and the output replaces
 * the array anyway, so nothing is lost; a stored JSON record of 32 features shrinks by about half,
 * which is what a RocksDB append and the batch's read at close pay for.
 *
 * <p>It reads every format of {@link FeatureRecordSerializer}, so pending records that savepoints
 * wrote with that serializer (every release before this one) restore as they are.
 */
public final class PendingRecordSerializer extends FeatureRecordSerializer {
    private static final long serialVersionUID = 1L;

    private static final byte[] EMPTY_ARRAY = {'[', ']'};

    /** The stateless shared instance. */
    public static final PendingRecordSerializer INSTANCE = new PendingRecordSerializer();

    /** The type information of pending records. */
    public static final TypeInformation<FeatureRecord> TYPE_INFO =
            new StateTypeInfo<>(FeatureRecord.class, INSTANCE);

    private PendingRecordSerializer() {}

    @Override
    protected void writeBody(FeatureRecord record, DataOutputView out) throws IOException {
        int start = record.valuesStart();
        if (start == FeatureRecord.NO_SPAN) {
            super.writeBody(record, out);
            return;
        }
        int end = record.valuesEnd();
        byte[] payload = record.payload();
        writeFields(record, out);
        out.writeInt(payload.length - (end - start) + EMPTY_ARRAY.length);
        out.write(payload, 0, start);
        out.write(EMPTY_ARRAY);
        out.write(payload, end, payload.length - end);
        writeTrailer(record, out, start, start + EMPTY_ARRAY.length);
    }

    @Override
    public TypeSerializerSnapshot<FeatureRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link PendingRecordSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<FeatureRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        /**
         * Also compatible as is with state written by {@link FeatureRecordSerializer}, any format:
         * every stored record carries its format version, and this serializer reads them all.
         */
        @Override
        public TypeSerializerSchemaCompatibility<FeatureRecord> resolveSchemaCompatibility(
                TypeSerializerSnapshot<FeatureRecord> oldSnapshot) {
            if (oldSnapshot instanceof FeatureRecordSerializer.Snapshot) {
                int oldFormat = ((FeatureRecordSerializer.Snapshot) oldSnapshot).formatVersion();
                return oldFormat <= INSTANCE.currentVersion()
                        ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                        : TypeSerializerSchemaCompatibility.incompatible();
            }
            return super.resolveSchemaCompatibility(oldSnapshot);
        }
    }
}
