package dev.streamnorm.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.Origin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Cases of the record decoder that fuzzing found. */
class JsonRecordDecoderTest {
    @Test
    void aNonNumberWhereTheValueBufferEndsIsNotANumber() {
        // 64 numbers fill the first buffer; a string at index 64, then a number at 65.
        String values = "1, ".repeat(64) + "\"x\", 2";
        byte[] payload = ("{\"values\": [" + values + "]}").getBytes(StandardCharsets.UTF_8);

        BadRecordException e =
                catchThrowableOfType(
                        BadRecordException.class,
                        () -> new JsonRecordDecoder().decode(payload, Origin.none(), null, 0L));

        assertThat(e.error()).isEqualTo(ErrorCode.NOT_A_NUMBER);
        assertThat(e.getMessage()).isEqualTo("values[64] is not a number: \"x\"");
    }

    @Test
    void nanOrInfinityOutsideValuesIsMalformedJson() throws Exception {
        String[] records = {
            "{\"tf\": {\"a\": [1e400, NaN]}, \"values\": [1.5e-3, 2]}",
            "{\"id\": -Infinity, \"values\": [1, 2]}",
            "{\"values\": [1, 2], \"x\": [[{\"y\": Infinity}]]}",
        };
        for (String record : records) {
            byte[] payload = record.getBytes(StandardCharsets.UTF_8);

            BadRecordException e =
                    catchThrowableOfType(
                            BadRecordException.class,
                            () -> new JsonRecordDecoder().decode(payload, Origin.none(), null, 0L));

            assertThat(e).as(record).isNotNull();
            assertThat(e.error()).isEqualTo(ErrorCode.MALFORMED_JSON);
            assertThat(e.getMessage())
                    .startsWith("NaN and Infinity are numbers only in \"values\"");
        }
        // In values they stay non-finite, and 1e400 elsewhere is JSON that passes through.
        BadRecordException nonFinite =
                catchThrowableOfType(
                        BadRecordException.class,
                        () ->
                                new JsonRecordDecoder()
                                        .decode(
                                                "{\"values\": [NaN, 1]}"
                                                        .getBytes(StandardCharsets.UTF_8),
                                                Origin.none(),
                                                null,
                                                0L));
        assertThat(nonFinite.error()).isEqualTo(ErrorCode.NON_FINITE);
        assertThat(
                        new JsonRecordDecoder()
                                .decode(
                                        "{\"big\": 1e400, \"values\": [1, 2]}"
                                                .getBytes(StandardCharsets.UTF_8),
                                        Origin.none(),
                                        null,
                                        0L)
                                .values())
                .containsExactly(1.0, 2.0);
    }
}
