package dev.streamnorm.operators.typeutils;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.junit.jupiter.api.Test;

/** The pending-records serializer: values text left out, every older format read. */
class PendingRecordSerializerTest {
    private static final String PAYLOAD = "{\"key\":\"k\", \"values\": [1.5, -2e3 ], \"id\":7}\n";
    private static final int START = PAYLOAD.indexOf('[');
    private static final int END = PAYLOAD.indexOf(']') + 1;

    private static final FeatureRecord RECORD =
            new FeatureRecord(
                    "k",
                    5L,
                    new double[] {1.5, -2e3},
                    PAYLOAD.getBytes(StandardCharsets.UTF_8),
                    Origin.file("in.jsonl", 3),
                    "v2",
                    START,
                    END);

    @Test
    void storesTheValuesOnceAndTheBytesAroundTheirText() throws IOException {
        byte[] bytes = write(PendingRecordSerializer.INSTANCE, RECORD);
        FeatureRecord read = read(PendingRecordSerializer.INSTANCE, bytes);

        String kept = "{\"key\":\"k\", \"values\": [], \"id\":7}\n";
        assertThat(new String(read.payload(), StandardCharsets.UTF_8)).isEqualTo(kept);
        assertThat(read.valuesStart()).isEqualTo(START);
        assertThat(read.valuesEnd()).isEqualTo(START + 2);
        assertThat(kept.substring(read.valuesStart(), read.valuesEnd())).isEqualTo("[]");
        assertThat(read.values()).containsExactly(1.5, -2e3);
        assertThat(read.key()).isEqualTo("k");
        assertThat(read.timestamp()).isEqualTo(5L);
        assertThat(read.origin()).isEqualTo(Origin.file("in.jsonl", 3));
        assertThat(read.statsVersion()).isEqualTo("v2");
        // Smaller than the whole record by the values' text less the "[]" left in its place.
        int full = write(FeatureRecordSerializer.INSTANCE, RECORD).length;
        assertThat(bytes.length).isEqualTo(full - (END - START) + 2);
        // Stored again, it stays as it is.
        assertThat(write(PendingRecordSerializer.INSTANCE, read)).isEqualTo(bytes);
    }

    @Test
    void aCheckpointStreamGetsTheSameBytes() throws IOException {
        // Checkpoints of the heap backend write through a DataOutputStream; keys and origins
        // with characters past one byte included.
        FeatureRecord wide =
                new FeatureRecord(
                        "capteur-é-€",
                        9L,
                        new double[] {0.25},
                        PAYLOAD.getBytes(StandardCharsets.UTF_8),
                        Origin.kafka("entrées-🙂", 2, 41L),
                        null,
                        START,
                        END);
        for (FeatureRecord record : new FeatureRecord[] {RECORD, wide}) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            PendingRecordSerializer.INSTANCE.serialize(
                    record, new DataOutputViewStreamWrapper(stream));
            assertThat(stream.toByteArray())
                    .isEqualTo(write(PendingRecordSerializer.INSTANCE, record));
            assertThat(read(PendingRecordSerializer.INSTANCE, stream.toByteArray()).key())
                    .isEqualTo(record.key());
        }
    }

    @Test
    void aRecordWithoutSpanIsStoredWhole() throws IOException {
        FeatureRecord whole =
                new FeatureRecord(
                        "k",
                        5L,
                        new double[] {1.5},
                        PAYLOAD.getBytes(StandardCharsets.UTF_8),
                        Origin.none());
        byte[] bytes = write(PendingRecordSerializer.INSTANCE, whole);
        assertThat(bytes).isEqualTo(write(FeatureRecordSerializer.INSTANCE, whole));
        assertThat(read(PendingRecordSerializer.INSTANCE, bytes)).isEqualTo(whole);
    }

    @Test
    void readsWhatFeatureRecordSerializerWrote() throws IOException {
        byte[] bytes = write(FeatureRecordSerializer.INSTANCE, RECORD);
        assertThat(read(PendingRecordSerializer.INSTANCE, bytes)).isEqualTo(RECORD);
    }

    @Test
    void stateOfEitherSerializerRestoresAsIs() throws IOException {
        TypeSerializerSnapshot<FeatureRecord> pending =
                PendingRecordSerializer.INSTANCE.snapshotConfiguration();
        assertThat(pending.restoreSerializer()).isSameAs(PendingRecordSerializer.INSTANCE);
        assertThat(pending.resolveSchemaCompatibility(pending).isCompatibleAsIs()).isTrue();
        TypeSerializerSnapshot<FeatureRecord> older =
                FeatureRecordSerializer.INSTANCE.snapshotConfiguration();
        assertThat(pending.resolveSchemaCompatibility(older).isCompatibleAsIs()).isTrue();
        assertThat(pending.resolveSchemaCompatibility(snapshotOfFormat(1)).isCompatibleAsIs())
                .isTrue();
        assertThat(pending.resolveSchemaCompatibility(snapshotOfFormat(4)).isIncompatible())
                .isTrue();
        // The other way round is not this serializer's to decide: different classes.
        assertThat(older.resolveSchemaCompatibility(pending).isIncompatible()).isTrue();
    }

    /** FeatureRecordSerializer's snapshot as a savepoint of data format {@code format} has it. */
    private static TypeSerializerSnapshot<FeatureRecord> snapshotOfFormat(int format)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(4);
        out.writeInt(format);
        FeatureRecordSerializer.Snapshot snapshot = new FeatureRecordSerializer.Snapshot();
        snapshot.readSnapshot(
                1,
                new DataInputDeserializer(out.getCopyOfBuffer()),
                PendingRecordSerializerTest.class.getClassLoader());
        return snapshot;
    }

    private static byte[] write(TypeSerializer<FeatureRecord> serializer, FeatureRecord record)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(record, out);
        return out.getCopyOfBuffer();
    }

    private static FeatureRecord read(TypeSerializer<FeatureRecord> serializer, byte[] bytes)
            throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        FeatureRecord record = serializer.deserialize(in);
        assertThat(in.available()).isZero();
        return record;
    }
}
