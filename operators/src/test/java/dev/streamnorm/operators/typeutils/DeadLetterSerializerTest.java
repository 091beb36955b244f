package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.Origin;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link DeadLetterSerializer}. */
class DeadLetterSerializerTest extends SerializerTestBase<DeadLetter> {

    @Override
    protected TypeSerializer<DeadLetter> createSerializer() {
        return DeadLetterSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<DeadLetter> getTypeClass() {
        return DeadLetter.class;
    }

    @Override
    protected DeadLetter[] getTestData() {
        byte[] big = new byte[70_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        DeadLetter[] letters = new DeadLetter[ErrorCode.values().length + 2];
        for (ErrorCode code : ErrorCode.values()) {
            letters[code.ordinal()] =
                    new DeadLetter(
                            code,
                            "because " + code.code(),
                            ("{\"n\":" + code.ordinal() + "}").getBytes(StandardCharsets.UTF_8),
                            Origin.kafka("in", code.ordinal(), 1000L + code.ordinal()),
                            "key-" + code.ordinal());
        }
        letters[letters.length - 2] =
                new DeadLetter(ErrorCode.NON_FINITE, "", new byte[0], Origin.none(), "");
        letters[letters.length - 1] =
                new DeadLetter(
                        ErrorCode.MALFORMED_JSON,
                        "unexpected end of input – ünïcödé 🙂",
                        big,
                        Origin.file("/tmp/in.jsonl", Long.MAX_VALUE),
                        "");
        return letters;
    }
}
