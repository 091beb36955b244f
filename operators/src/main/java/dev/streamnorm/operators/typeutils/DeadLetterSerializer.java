package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.state.typeutils.VersionedSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serializer of {@link DeadLetter}.
 *
 * <p>Format v1: {@code byte 1, string error code, string message, int m, byte[m] payload, origin,
 * string key} (strings as written by {@link StringValue#writeString}).
 */
public final class DeadLetterSerializer extends VersionedSerializer<DeadLetter> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final DeadLetterSerializer INSTANCE = new DeadLetterSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "DeadLetter";
    }

    @Override
    public DeadLetter createInstance() {
        return new DeadLetter(
                ErrorCode.MALFORMED_JSON,
                "",
                new byte[0],
                dev.streamnorm.operators.Origin.none(),
                "");
    }

    @Override
    public DeadLetter copy(DeadLetter from) {
        return from;
    }

    @Override
    protected void writeBody(DeadLetter letter, DataOutputView out) throws IOException {
        StringValue.writeString(letter.error().code(), out);
        StringValue.writeString(letter.message(), out);
        OriginCodec.writeBytes(letter.payload(), out);
        OriginCodec.write(letter.origin(), out);
        StringValue.writeString(letter.key(), out);
    }

    @Override
    protected DeadLetter readBody(int version, DataInputView in) throws IOException {
        ErrorCode error;
        String code = StringValue.readString(in);
        try {
            error = ErrorCode.ofCode(code);
        } catch (IllegalArgumentException e) {
            throw new IOException("Corrupt DeadLetter: " + e.getMessage(), e);
        }
        String message = StringValue.readString(in);
        byte[] payload = OriginCodec.readBytes(in);
        return new DeadLetter(
                error, message, payload, OriginCodec.read(in), StringValue.readString(in));
    }

    @Override
    public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link DeadLetterSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<DeadLetter> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
