package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.Origin;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/** Writes and reads an {@link Origin} inside the record serializers. */
final class OriginCodec {
    private static final Origin.Kind[] KINDS = Origin.Kind.values();

    private OriginCodec() {}

    static void write(Origin origin, DataOutputView out) throws IOException {
        out.writeByte(origin.kind().ordinal());
        if (origin.kind() != Origin.Kind.NONE) {
            StringValue.writeString(origin.name(), out);
            out.writeInt(origin.partition());
            out.writeLong(origin.position());
        }
    }

    static Origin read(DataInputView in) throws IOException {
        int kind = in.readUnsignedByte();
        if (kind >= KINDS.length) {
            throw new IOException("Corrupt origin: kind " + kind);
        }
        if (KINDS[kind] == Origin.Kind.NONE) {
            return Origin.none();
        }
        return Origin.of(KINDS[kind], StringValue.readString(in), in.readInt(), in.readLong());
    }

    static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("Corrupt payload length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
