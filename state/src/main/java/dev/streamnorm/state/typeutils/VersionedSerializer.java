package dev.streamnorm.state.typeutils;

import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of streamnorm's state serializers: every value starts with a one-byte format version, so
 * bytes written by any earlier release stay readable and bytes from a newer one fail with "expected
 * version 1..N, actual M" instead of garbage.
 *
 * <p>Subclasses are stateless singletons that write the current format and read every format they
 * have ever written.
 */
@Internal
public abstract class VersionedSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    /** The format version that {@link #serialize} writes. */
    public abstract int currentVersion();

    /** Writes the value's fields in the current format. */
    protected abstract void writeBody(T value, DataOutputView out) throws IOException;

    /** Reads the fields of a value written in format {@code version}. */
    protected abstract T readBody(int version, DataInputView in) throws IOException;

    /** The name of the serialized type, for error messages. */
    protected abstract String typeName();

    @Override
    public final void serialize(T value, DataOutputView out) throws IOException {
        if (out instanceof DataOutputStream) {
            // A stream, as checkpoints and savepoints write: each of its single-byte writes takes a
            // lock, and strings go out one char at a time. The value is written to memory first
            // and handed over in one call; the bytes are the same.
            DataOutputSerializer buffer = StreamBuffer.take();
            writeVersioned(value, buffer);
            out.write(buffer.getSharedBuffer(), 0, buffer.length());
            StreamBuffer.release(buffer);
        } else {
            writeVersioned(value, out);
        }
    }

    private void writeVersioned(T value, DataOutputView out) throws IOException {
        out.writeByte(currentVersion());
        writeBody(value, out);
    }

    @Override
    public final T deserialize(DataInputView in) throws IOException {
        int version = in.readUnsignedByte();
        if (version < 1 || version > currentVersion()) {
            throw new IOException(
                    String.format(
                            "Cannot read %s: expected format version 1..%d, actual %d",
                            typeName(), currentVersion(), version));
        }
        try {
            return readBody(version, in);
        } catch (IllegalArgumentException e) {
            throw new IOException("Corrupt " + typeName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    /** Copies one value between streams; it is decoded and re-encoded in the current format. */
    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }

    static int readLength(DataInputView in, String what) throws IOException {
        int length = in.readInt();
        if (length <= 0) {
            throw new IOException("Corrupt " + what + ": length " + length);
        }
        return length;
    }
}
