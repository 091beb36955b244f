package dev.streamnorm.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code --max-record-bytes} and Jackson's read constraints in the record decoder. */
class RecordLimitsTest {
    private static final int LIMIT = 100;

    private final JsonRecordDecoder decoder = new JsonRecordDecoder(LIMIT);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A valid record of exactly {@code length} bytes. */
    private static byte[] recordOfLength(int length) {
        String head = "{\"values\": [1.5, 2], \"pad\": \"";
        String tail = "\"}";
        return bytes(head + "x".repeat(length - head.length() - tail.length()) + tail);
    }

    private static ErrorCode codeOf(JsonRecordDecoder decoder, byte[] payload) {
        BadRecordException e =
                catchThrowableOfType(
                        BadRecordException.class,
                        () -> decoder.decode(payload, Origin.none(), null, 0L));
        assertThat(e).as("rejected").isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e.error();
    }

    @Test
    void aRecordOfExactlyTheLimitIsDecodedOneByteMoreIsTooLarge() throws Exception {
        FeatureRecord record =
                decoder.decode(
                        recordOfLength(LIMIT), Origin.none(), null, FeatureRecord.NO_TIMESTAMP);
        assertThat(record.values()).containsExactly(1.5, 2.0);

        BadRecordException e =
                catchThrowableOfType(
                        BadRecordException.class,
                        () -> decoder.decode(recordOfLength(LIMIT + 1), Origin.none(), null, 0L));
        assertThat(e.error()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(e.getMessage())
                .isEqualTo(
                        "the record has more than 100 bytes (--max-record-bytes); input holds its"
                                + " first 1024 bytes");
    }

    @Test
    void tooLargeComesBeforeMalformedJson() {
        assertThat(codeOf(decoder, bytes("{\"values\": [1,"))).isEqualTo(ErrorCode.MALFORMED_JSON);
        assertThat(codeOf(decoder, bytes("{\"values\": [1," + " ".repeat(LIMIT))))
                .isEqualTo(ErrorCode.TOO_LARGE);
    }

    @Test
    void theDefaultLimitIsOneMebibyte() throws Exception {
        JsonRecordDecoder defaults = new JsonRecordDecoder();
        assertThat(defaults.decode(recordOfLength(1 << 20), Origin.none(), null, 0L).values())
                .hasSize(2);
        assertThat(codeOf(defaults, recordOfLength((1 << 20) + 1))).isEqualTo(ErrorCode.TOO_LARGE);
    }

    @Test
    void jacksonLimitsAreMalformedJsonWithJacksonsReason() {
        JsonRecordDecoder large = new JsonRecordDecoder(1 << 20);
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertMalformed(large, "{\"values\": [1], \"deep\": " + deep + "}", "nesting depth (1001)");
        String digits = "9".repeat(5000);
        assertMalformed(large, "{\"values\": [" + digits + "]}", "Number value length");
        assertMalformed(large, "{\"values\": [1], \"id\": " + digits + "}", "Number value length");
        String name = "n".repeat(60_000);
        assertMalformed(large, "{\"values\": [1], \"" + name + "\": 0}", "Name length");
    }

    private static void assertMalformed(JsonRecordDecoder decoder, String payload, String reason) {
        BadRecordException e =
                catchThrowableOfType(
                        BadRecordException.class,
                        () -> decoder.decode(bytes(payload), Origin.none(), null, 0L));
        assertThat(e.error()).isEqualTo(ErrorCode.MALFORMED_JSON);
        assertThat(e.getMessage()).contains(reason).doesNotContain("\n");
    }

    @Test
    void theInputOfATooLargeDeadLetterIsItsFirstKibibyteCutBetweenCharacters() {
        byte[] ascii = bytes("a".repeat(5000));
        assertThat(RecordLimits.prefix(ascii)).hasSize(1024);
        // "é" is 2 bytes: 1023 ASCII bytes then "é" would split it at 1024.
        byte[] split = bytes("a".repeat(1023) + "é".repeat(100));
        assertThat(new String(RecordLimits.prefix(split), StandardCharsets.UTF_8))
                .isEqualTo("a".repeat(1023));
        // "🙂" is 4 bytes: 1021 ASCII bytes then two of them; the first ends at 1025.
        byte[] emoji = bytes("a".repeat(1021) + "🙂🙂");
        assertThat(new String(RecordLimits.prefix(emoji), StandardCharsets.UTF_8))
                .isEqualTo("a".repeat(1021));
        byte[] small = bytes("{\"values\": [1]}");
        assertThat(RecordLimits.prefix(small)).isSameAs(small);
    }
}
