package dev.streamnorm.jobs.stats;

import dev.streamnorm.operators.ScalerStatsFile;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.scaler.ScalerStats;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Collects each key's final statistics and writes them as one stats file (DESIGN §4, §7) when a
 * bounded run ends. Run it with parallelism 1.
 *
 * @param <T> the statistics: batch norm's {@link RunningStats} or a scaler's {@link ScalerStats}
 */
public final class StatsFileSink<T> implements Sink<Tuple2<String, T>> {
    private static final long serialVersionUID = 1L;

    /** Writes the collected statistics, keys in sorted order, to a file. */
    @FunctionalInterface
    public interface FileWriter<T> extends Serializable {
        void write(Map<String, T> stats, Path file) throws IOException;
    }

    private final String path;
    private final SerializableFunction<T, T> copy;
    private final FileWriter<T> writer;

    private StatsFileSink(Path path, SerializableFunction<T, T> copy, FileWriter<T> writer) {
        this.path = path.toString();
        this.copy = copy;
        this.writer = writer;
    }

    /**
     * Batch norm's running stats.
     *
     * @param header makes the file from the collected table, adding the layer's settings
     */
    public static StatsFileSink<RunningStats> runningStats(
            Path path, SerializableFunction<StatsTable, StatsFile> header) {
        return new StatsFileSink<>(
                path,
                RunningStats::copy,
                (stats, file) -> header.apply(StatsTable.of(stats)).write(file, stats.keySet()));
    }

    /**
     * A scaler's statistics.
     *
     * @param header makes the file from the collected statistics, adding the scaler's parameters
     */
    public static StatsFileSink<ScalerStats> scalerStats(
            Path path, SerializableFunction<Map<String, ScalerStats>, ScalerStatsFile> header) {
        return new StatsFileSink<>(
                path,
                ScalerStats::copy,
                (stats, file) -> header.apply(stats).write(file, stats.keySet()));
    }

    @Override
    public SinkWriter<Tuple2<String, T>> createWriter(WriterInitContext context) {
        return new Writer<>(Paths.get(path), copy, writer);
    }

    private static final class Writer<T> implements SinkWriter<Tuple2<String, T>> {
        private final Path path;
        private final SerializableFunction<T, T> copy;
        private final FileWriter<T> writer;
        private final Map<String, T> stats = new TreeMap<>();

        Writer(Path path, SerializableFunction<T, T> copy, FileWriter<T> writer) {
            this.path = path;
            this.copy = copy;
            this.writer = writer;
        }

        @Override
        public void write(Tuple2<String, T> element, Context context) {
            stats.put(element.f0, copy.apply(element.f1));
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (endOfInput) {
                if (path.getParent() != null) {
                    Files.createDirectories(path.getParent());
                }
                writer.write(stats, path);
            }
        }

        @Override
        public void close() {}
    }
}
