package dev.streamnorm.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.typeutils.PendingRecordSerializer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Output records: values replaced, other fields kept, the stats version added when known. */
class JsonRecordEncoderTest {
    private final JsonRecordEncoder encoder = new JsonRecordEncoder();

    private static FeatureRecord record(String payload, double... values) {
        return new FeatureRecord(
                "a", 5L, values, payload.getBytes(StandardCharsets.UTF_8), Origin.none());
    }

    private String encode(FeatureRecord record) {
        return new String(encoder.encode(record), StandardCharsets.UTF_8);
    }

    @Test
    void withoutAStatsVersionThePayloadKeepsItsFields() {
        assertThat(encode(record("{\"id\":7,\"values\":[1,2],\"key\":\"a\"}", 0.5, -0.25)))
                .isEqualTo("{\"id\":7,\"values\":[0.5,-0.25],\"key\":\"a\"}");
    }

    @Test
    void onlyTheTopLevelValuesArrayIsReplacedAndTheOtherBytesPassThrough() {
        String payload =
                " {\"meta\": {\"values\": [9, 9]}, \"x\": 1.50,\t\"values\" : [ 1 , 2e0 ],"
                        + " \"tags\": [\"é\", null]}\r\n";
        assertThat(encode(record(payload, 0.1, -1e-7)))
                .isEqualTo(
                        "{\"meta\": {\"values\": [9, 9]}, \"x\": 1.50,\t\"values\" :"
                                + " [0.1,-1.0E-7], \"tags\": [\"é\", null]}");
    }

    @Test
    void nonFiniteValuesAreWrittenByTheGeneratorAsBefore() {
        assertThat(encode(record("{\"values\": [1, 2], \"id\": 7}", Double.NaN, 1.5)))
                .isEqualTo("{\"values\":[\"NaN\",1.5],\"id\":7}");
    }

    @Test
    void writtenValuesParseBackToTheSameDoubles() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        double[] values = new double[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(values[i])) {
                values[i] = i;
            }
        }
        byte[] out = encoder.encode(record("{\"values\":[]}", values));
        FeatureRecord back =
                new JsonRecordDecoder()
                        .decode(out, Origin.none(), null, FeatureRecord.NO_TIMESTAMP);
        assertThat(back.values()).containsExactly(values);
    }

    @Test
    void theStatsVersionIsAddedLastAndReplacesAnInputField() {
        FeatureRecord versioned =
                record("{\"stats_version\":\"old\",\"values\":[1],\"id\":7}", 0.5)
                        .withStatsVersion("0-3");
        assertThat(encode(versioned))
                .isEqualTo("{\"values\":[0.5],\"id\":7,\"stats_version\":\"0-3\"}");
        assertThat(encode(FeatureRecord.of("b", 9L, 1.0).withStatsVersion("initial")))
                .isEqualTo(
                        "{\"key\":\"b\",\"ts\":9,\"values\":[1.0],\"stats_version\":\"initial\"}");
    }

    @Test
    void theDecodersSpanAndAStoredPendingRecordGiveTheOutputOfAParse() throws Exception {
        String[][] cases = {
            {"{\"id\":7,\"values\":[1,2],\"key\":\"a\"}", "[1,2]"},
            {
                "\uFEFF {\"meta\": {\"values\": [9, 9]}, \"values\" : [ 1 , 2e0 ], \"x\": 1.50}\r\n",
                "[ 1 , 2e0 ]"
            },
        };
        for (String[] c : cases) {
            byte[] payload = c[0].getBytes(StandardCharsets.UTF_8);
            FeatureRecord decoded =
                    new JsonRecordDecoder()
                            .decode(payload, Origin.none(), null, FeatureRecord.NO_TIMESTAMP);
            int start = decoded.valuesStart();
            int end = decoded.valuesEnd();
            assertThat(new String(payload, start, end - start, StandardCharsets.UTF_8))
                    .isEqualTo(c[1]);
            decoded.values()[0] = 0.5;
            decoded.values()[1] = -0.25;
            String parsed = encode(record(c[0], 0.5, -0.25));
            assertThat(encode(decoded)).isEqualTo(parsed);

            DataOutputSerializer out = new DataOutputSerializer(64);
            PendingRecordSerializer.INSTANCE.serialize(decoded, out);
            FeatureRecord stored =
                    PendingRecordSerializer.INSTANCE.deserialize(
                            new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(stored.payload().length).isLessThan(payload.length);
            assertThat(encode(stored)).isEqualTo(parsed);
            // Stats-versioned records take the generator's path over the stored payload.
            assertThat(encode(stored.withStatsVersion("v")))
                    .isEqualTo(encode(record(c[0], 0.5, -0.25).withStatsVersion("v")));
        }
    }
}
