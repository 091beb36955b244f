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
}
