package dev.streamnorm.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import java.nio.charset.StandardCharsets;
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
}
