package dev.streamnorm.state.typeutils;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes and reads runs of doubles in the serializers' format, eight big-endian bytes per value as
 * {@link java.io.DataOutput#writeDouble} writes them, in one block: one call to the stream per
 * array instead of one per value, which matters for records on the network.
 */
public final class DoubleArrays {
    private static final VarHandle BIG_ENDIAN =
            MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.BIG_ENDIAN);

    /** Arrays up to this many values go through a reused per-thread buffer, longer ones not. */
    private static final int BUFFERED_VALUES = 4096;

    private static final ThreadLocal<byte[]> BUFFER =
            ThreadLocal.withInitial(() -> new byte[BUFFERED_VALUES * Double.BYTES]);

    private DoubleArrays() {}

    /** Writes the first {@code length} of {@code values}. */
    public static void write(double[] values, int length, DataOutputView out) throws IOException {
        byte[] bytes = buffer(length);
        for (int i = 0; i < length; i++) {
            // The bits writeDouble writes: NaN in its canonical form.
            BIG_ENDIAN.set(bytes, i * Double.BYTES, canonical(values[i]));
        }
        out.write(bytes, 0, length * Double.BYTES);
    }

    /** Writes every value of {@code values}. */
    public static void write(double[] values, DataOutputView out) throws IOException {
        write(values, values.length, out);
    }

    /** Reads {@code length} values into a new array. */
    public static double[] read(DataInputView in, int length) throws IOException {
        if (length < 0 || length > Integer.MAX_VALUE / Double.BYTES) {
            throw new IOException("Corrupt array of doubles: length " + length);
        }
        byte[] bytes = buffer(length);
        in.readFully(bytes, 0, length * Double.BYTES);
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = (double) BIG_ENDIAN.get(bytes, i * Double.BYTES);
        }
        return values;
    }

    /** A buffer of at least {@code length} values: this thread's, or a new one if too long. */
    private static byte[] buffer(int length) {
        return length <= BUFFERED_VALUES ? BUFFER.get() : new byte[length * Double.BYTES];
    }

    private static double canonical(double value) {
        return value != value ? Double.NaN : value;
    }
}
