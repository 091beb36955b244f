package dev.streamnorm.state.typeutils;

import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The per-thread memory buffer in which {@link VersionedSerializer} writes a value bound for a
 * stream. A buffer grown past {@link #KEPT_BYTES} by a large value is not kept for the next.
 */
final class StreamBuffer {
    static final int KEPT_BYTES = 1 << 20;

    private static final ThreadLocal<DataOutputSerializer> BUFFER =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(1024));

    private StreamBuffer() {}

    /** This thread's buffer, empty. */
    static DataOutputSerializer take() {
        DataOutputSerializer buffer = BUFFER.get();
        buffer.clear();
        return buffer;
    }

    /** Done with {@code buffer}; drops it if a large value grew it. */
    static void release(DataOutputSerializer buffer) {
        if (buffer.getSharedBuffer().length > KEPT_BYTES) {
            BUFFER.remove();
        }
    }
}
