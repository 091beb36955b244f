package dev.streamnorm.operators.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.RunningStatsSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The record types resolve to streamnorm's serializers with generic types disabled (never Kryo),
 * and their v1 byte formats stay readable.
 */
class RecordTypeInfoTest {

    private static SerializerConfigImpl noGenericTypes() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        return config;
    }

    @Test
    void recordTypesResolveToTheProjectSerializers() {
        SerializerConfigImpl config = noGenericTypes();
        // The configuration really forbids Kryo.
        assertThatThrownBy(() -> new GenericTypeInfo<>(Object.class).createSerializer(config))
                .isInstanceOf(UnsupportedOperationException.class);

        TypeInformation<FeatureRecord> record = TypeInformation.of(FeatureRecord.class);
        assertThat(record).isEqualTo(FeatureRecordTypeInfoFactory.TYPE_INFO);
        assertThat(record.createSerializer(config)).isSameAs(FeatureRecordSerializer.INSTANCE);
        assertThat(
                        TypeExtractor.getForObject(FeatureRecord.of("k", 1L, 2.0))
                                .createSerializer(config))
                .isSameAs(FeatureRecordSerializer.INSTANCE);

        TypeInformation<DeadLetter> letter = TypeInformation.of(DeadLetter.class);
        assertThat(letter).isEqualTo(DeadLetterTypeInfoFactory.TYPE_INFO);
        assertThat(letter.createSerializer(config)).isSameAs(DeadLetterSerializer.INSTANCE);
        assertThat(Normalization.DEAD_LETTERS.getTypeInfo().createSerializer(config))
                .isSameAs(DeadLetterSerializer.INSTANCE);

        TypeSerializer<Tuple2<String, RunningStats>> finalStats =
                Normalization.FINAL_STATS.getTypeInfo().createSerializer(config);
        assertThat(finalStats).isInstanceOf(TupleSerializer.class);
        assertThat(((TupleSerializer<?>) finalStats).getFieldSerializers()[1])
                .isSameAs(RunningStatsSerializer.INSTANCE);
    }

    /** FeatureRecord format v1 (pending records in train-mode state): must keep deserializing. */
    private static final String RECORD_V1 =
            "01" // format version
                    + "09"
                    + "73656e736f722d37" // key "sensor-7" (length + 1, chars)
                    + "0000019353750c00" // timestamp 1732272000000
                    + "00000003" // 3 values
                    + "3fd3d70a3d70a3d7"
                    + "bff3333333333333"
                    + "4010000000000000"
                    + "00000008"
                    + "7b226964223a377d" // payload {"id":7}
                    + "01" // origin kind KAFKA
                    + "09"
                    + "6665617475726573" // topic "features"
                    + "00000002" // partition
                    + "00000000000004d2"; // offset 1234

    /** DeadLetter format v1. */
    private static final String LETTER_V1 =
            "01" // format version
                    + "0d"
                    + "77726f6e672d6c656e677468" // error code "wrong-length"
                    + "12"
                    + "657870656374656420332076616c756573" // message
                    + "00000003"
                    + "5b315d" // payload [1]
                    + "02" // origin kind FILE
                    + "09"
                    + "696e2e6a736f6e6c" // file "in.jsonl"
                    + "00000000" // partition 0
                    + "0000000000000009" // line 9
                    + "02"
                    + "6b"; // key "k"

    private static final FeatureRecord RECORD =
            new FeatureRecord(
                    "sensor-7",
                    1_732_272_000_000L,
                    new double[] {0.31, -1.2, 4.0},
                    "{\"id\":7}".getBytes(StandardCharsets.UTF_8),
                    Origin.kafka("features", 2, 1234L));

    private static final DeadLetter LETTER =
            new DeadLetter(
                    ErrorCode.WRONG_LENGTH,
                    "expected 3 values",
                    "[1]".getBytes(StandardCharsets.UTF_8),
                    Origin.file("in.jsonl", 9),
                    "k");

    private static <T> String write(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return HexFormat.of().formatHex(out.getCopyOfBuffer());
    }

    private static <T> T read(TypeSerializer<T> serializer, String hex) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(HexFormat.of().parseHex(hex));
        T value = serializer.deserialize(in);
        assertThat(in.available()).as("all bytes consumed").isZero();
        return value;
    }

    /** Format v2: v1's body, then whether a stats version follows, then the version. */
    private static final String RECORD_V2 = "02" + RECORD_V1.substring(2) + "00";

    private static final String RECORD_V2_WITH_VERSION =
            "02" + RECORD_V1.substring(2) + "01" + "03" + hex("v1"); // true, "v1" (length + 1)

    @Test
    void version1BytesAreStable() throws IOException {
        assertThat(read(FeatureRecordSerializer.INSTANCE, RECORD_V1)).isEqualTo(RECORD);
        assertThat(write(DeadLetterSerializer.INSTANCE, LETTER)).isEqualTo(LETTER_V1);
        assertThat(read(DeadLetterSerializer.INSTANCE, LETTER_V1)).isEqualTo(LETTER);
    }

    /** Format v3: v2's body, then the values span (start, end; -1 twice when not known). */
    private static final String RECORD_V3 =
            "03" + RECORD_V2.substring(2) + "ffffffff" + "ffffffff"; // no span

    private static final String RECORD_V3_WITH_VERSION =
            "03" + RECORD_V2_WITH_VERSION.substring(2) + "ffffffff" + "ffffffff";

    /** A v3 record with a span: payload {"values":[1.5]}, its values text at bytes 10 to 15. */
    private static final String RECORD_V3_WITH_SPAN =
            "03"
                    + "02"
                    + "6b" // key "k"
                    + "0000000000000005" // timestamp 5
                    + "00000001" // 1 value
                    + "3ff8000000000000" // 1.5
                    + "00000010"
                    + hex("{\"values\":[1.5]}") // payload
                    + "00" // origin kind NONE
                    + "00" // no stats version
                    + "0000000a" // values start 10
                    + "0000000f"; // values end 15

    private static final FeatureRecord RECORD_WITH_SPAN =
            new FeatureRecord(
                    "k",
                    5L,
                    new double[] {1.5},
                    "{\"values\":[1.5]}".getBytes(StandardCharsets.UTF_8),
                    Origin.none(),
                    null,
                    10,
                    15);

    @Test
    void version2BytesAreStable() throws IOException {
        assertThat(read(FeatureRecordSerializer.INSTANCE, RECORD_V2)).isEqualTo(RECORD);
        assertThat(read(FeatureRecordSerializer.INSTANCE, RECORD_V2_WITH_VERSION))
                .isEqualTo(RECORD.withStatsVersion("v1"));
    }

    @Test
    void version3BytesAreStable() throws IOException {
        assertThat(write(FeatureRecordSerializer.INSTANCE, RECORD)).isEqualTo(RECORD_V3);
        assertThat(read(FeatureRecordSerializer.INSTANCE, RECORD_V3)).isEqualTo(RECORD);
        FeatureRecord versioned = RECORD.withStatsVersion("v1");
        assertThat(write(FeatureRecordSerializer.INSTANCE, versioned))
                .isEqualTo(RECORD_V3_WITH_VERSION);
        assertThat(read(FeatureRecordSerializer.INSTANCE, RECORD_V3_WITH_VERSION))
                .isEqualTo(versioned);
        assertThat(write(FeatureRecordSerializer.INSTANCE, RECORD_WITH_SPAN))
                .isEqualTo(RECORD_V3_WITH_SPAN);
        assertThat(read(FeatureRecordSerializer.INSTANCE, RECORD_V3_WITH_SPAN))
                .isEqualTo(RECORD_WITH_SPAN);
    }

    @Test
    void aSpanOutsideThePayloadIsCorrupt() {
        String outside = RECORD_V3_WITH_SPAN.replace("0000000f", "00000011"); // end 17 > 16 bytes
        assertThatThrownBy(() -> read(FeatureRecordSerializer.INSTANCE, outside))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(
                        "Corrupt FeatureRecord: values span [10, 17) outside a payload of 16"
                                + " bytes");
    }

    @Test
    void aNewerOrCorruptFormatFailsWithAClearMessage() {
        assertThatThrownBy(
                        () -> read(FeatureRecordSerializer.INSTANCE, "04" + RECORD_V1.substring(2)))
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot read FeatureRecord: expected format version 1..3, actual 4");
        assertThatThrownBy(() -> read(DeadLetterSerializer.INSTANCE, "00" + LETTER_V1.substring(2)))
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot read DeadLetter: expected format version 1..1, actual 0");
        // An unknown error code in place of "wrong-length" (same length: "wrong-lengtX").
        String corrupt = LETTER_V1.replace(hex("wrong-length"), hex("wrong-lengtX"));
        assertThatThrownBy(() -> read(DeadLetterSerializer.INSTANCE, corrupt))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Corrupt DeadLetter: unknown error code 'wrong-lengtX'");
    }

    @Test
    void snapshotsRestoreTheSerializersAndAreCompatibleAsIs() {
        for (TypeSerializer<?> serializer :
                new TypeSerializer<?>[] {
                    FeatureRecordSerializer.INSTANCE, DeadLetterSerializer.INSTANCE
                }) {
            assertCompatible(serializer);
        }
    }

    private static <T> void assertCompatible(TypeSerializer<T> serializer) {
        TypeSerializerSnapshot<T> snapshot = serializer.snapshotConfiguration();
        assertThat(snapshot.restoreSerializer()).isSameAs(serializer);
        TypeSerializerSchemaCompatibility<T> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(snapshot);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.US_ASCII));
    }
}
