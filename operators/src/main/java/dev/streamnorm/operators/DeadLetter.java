package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.streamnorm.operators.typeutils.DeadLetterTypeInfoFactory;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A record that could not be normalized: its error code, a human-readable reason, the original
 * payload and its origin. Every input record ends either in the output or here, exactly once.
 */
@TypeInfo(DeadLetterTypeInfoFactory.class)
public final class DeadLetter {
    private final ErrorCode error;
    private final String message;
    private final byte[] payload;
    private final Origin origin;
    private final String key;

    public DeadLetter(ErrorCode error, String message, byte[] payload, Origin origin, String key) {
        this.error = checkNotNull(error);
        this.message = checkNotNull(message);
        this.payload = checkNotNull(payload);
        this.origin = checkNotNull(origin);
        this.key = checkNotNull(key);
    }

    /** A dead letter for a parsed record that an operator rejected. */
    public static DeadLetter of(FeatureRecord record, ErrorCode error, String message) {
        return new DeadLetter(error, message, record.payload(), record.origin(), record.key());
    }

    public ErrorCode error() {
        return error;
    }

    public String message() {
        return message;
    }

    /** The original message bytes (empty for records built in code). */
    public byte[] payload() {
        return payload;
    }

    public Origin origin() {
        return origin;
    }

    /** The record's key when it was known, else {@code ""}. */
    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter that = (DeadLetter) o;
        return error == that.error
                && message.equals(that.message)
                && Arrays.equals(payload, that.payload)
                && origin.equals(that.origin)
                && key.equals(that.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(error, message, origin, key);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + error.code() + ": " + message + ", origin=" + origin + '}';
    }
}
