package dev.streamnorm.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import java.io.IOException;

/**
 * Any bytes given to the record decoder end as a record or as a {@link BadRecordException} with a
 * code; a record's values are finite, and both the record and a dead letter encode to JSON. Runs
 * the seed corpus under {@code src/test/resources} in every build; {@code -Pfuzz} fuzzes it.
 */
class JsonRecordDecoderFuzzTest {
    /** Small, so that the fuzzer reaches the limit too. */
    private static final int MAX_RECORD_BYTES = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonRecordDecoder decoder = new JsonRecordDecoder(MAX_RECORD_BYTES);
    private final JsonRecordEncoder encoder = new JsonRecordEncoder();

    @FuzzTest(maxDuration = "60s")
    void decodesOrRejects(byte[] payload) throws IOException {
        Origin origin = Origin.file("fuzz.jsonl", 1);
        FeatureRecord record;
        try {
            record = decoder.decode(payload, origin, null, FeatureRecord.NO_TIMESTAMP);
        } catch (BadRecordException e) {
            assertThat(e.getMessage()).isNotBlank();
            if (payload.length > MAX_RECORD_BYTES) {
                assertThat(e.error()).isEqualTo(ErrorCode.TOO_LARGE);
            }
            DeadLetter letter = new DeadLetter(e.error(), e.getMessage(), payload, origin, "");
            JsonNode encoded = JSON.readTree(encoder.encode(letter));
            assertThat(encoded.get("error").asText()).isEqualTo(e.error().code());
            return;
        }
        assertThat(payload.length).isLessThanOrEqualTo(MAX_RECORD_BYTES);
        for (double v : record.values()) {
            assertThat(v).isFinite();
        }
        JsonNode output = JSON.readTree(encoder.encode(record));
        assertThat(output.isObject()).isTrue();
        assertThat(output.get("values").size()).isEqualTo(record.values().length);
    }
}
