package dev.streamnorm.bench.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Keeps every record in this JVM under a name, for comparing a local job's output with the plain
 * loop's. The operators never modify a record after emitting it, so keeping them is safe.
 */
final class MemorySink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<Object>> RESULTS = new ConcurrentHashMap<>();

    private final String name;

    MemorySink(String name) {
        this.name = name;
        RESULTS.put(name, new ConcurrentLinkedQueue<>());
    }

    /** Everything the sink named {@code name} received; forgets it. */
    @SuppressWarnings("unchecked")
    static <T> List<T> take(String name) {
        Queue<Object> queue = RESULTS.remove(name);
        List<T> items = new ArrayList<>();
        if (queue != null) {
            for (Object item : queue) {
                items.add((T) item);
            }
        }
        return items;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> queue = RESULTS.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                queue.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
