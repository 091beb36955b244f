package dev.streamnorm.jobs.stats;

import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Collects each key's final running stats and writes them as one stats file (DESIGN §4) when a
 * bounded run ends. Run it with parallelism 1.
 */
public final class StatsFileSink implements Sink<Tuple2<String, RunningStats>> {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final SerializableFunction<StatsTable, StatsFile> header;

    /**
     * @param header makes the file from the collected table, adding the layer's settings
     */
    public StatsFileSink(Path path, SerializableFunction<StatsTable, StatsFile> header) {
        this.path = path.toString();
        this.header = header;
    }

    @Override
    public SinkWriter<Tuple2<String, RunningStats>> createWriter(WriterInitContext context) {
        return new Writer(Paths.get(path), header);
    }

    private static final class Writer implements SinkWriter<Tuple2<String, RunningStats>> {
        private final Path path;
        private final Function<StatsTable, StatsFile> header;
        private final Map<String, RunningStats> stats = new TreeMap<>();

        Writer(Path path, Function<StatsTable, StatsFile> header) {
            this.path = path;
            this.header = header;
        }

        @Override
        public void write(Tuple2<String, RunningStats> element, Context context) {
            stats.put(element.f0, element.f1.copy());
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (endOfInput) {
                if (path.getParent() != null) {
                    Files.createDirectories(path.getParent());
                }
                header.apply(StatsTable.of(stats)).write(path, stats.keySet());
            }
        }

        @Override
        public void close() {}
    }
}
