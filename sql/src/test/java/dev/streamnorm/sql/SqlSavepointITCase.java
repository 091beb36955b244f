package dev.streamnorm.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code BATCH_NORM} train job stopped with a savepoint in the middle of its input and restored
 * from it gives every row once, with the numbers of an uninterrupted run: the open batches (their
 * rows and pending timers) and the running stats come back from the savepoint. Each key's last
 * batch has one row, which is normalized with the key's running stats, so those are checked too.
 */
class SqlSavepointITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    /** 3 keys × 201 rows: 50 batches of 4 per key, then one row closed at the end of input. */
    private static final long ROWS = 603;

    /** Output rows by sink name, then by id. */
    private static final Map<String, Map<Long, Row>> OUTPUTS = new ConcurrentHashMap<>();

    @Test
    void restoredJobEqualsAnUninterruptedRun(@TempDir Path savepoints) throws Exception {
        start("uninterrupted", new Configuration(), 1000).getJobExecutionResult().get();

        JobClient first = start("restored", new Configuration(), 100);
        while (OUTPUTS.get("restored").size() < 100) {
            Thread.sleep(20);
        }
        String savepoint =
                first.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        int beforeSavepoint = OUTPUTS.get("restored").size();
        assertThat(beforeSavepoint).isBetween(100, (int) ROWS - 1);

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        start("restored", restore, 1000, false).getJobExecutionResult().get();

        Map<Long, Row> uninterrupted = new TreeMap<>(OUTPUTS.get("uninterrupted"));
        Map<Long, Row> restored = new TreeMap<>(OUTPUTS.get("restored"));
        assertThat(uninterrupted).hasSize((int) ROWS);
        assertThat(restored).hasSize((int) ROWS);
        for (long id = 0; id < ROWS; id++) {
            Row expected = uninterrupted.get(id);
            Row actual = restored.get(id);
            assertThat(actual.getField("error")).as("error of row %s", id).isNull();
            assertThat(actual.getField("error")).isEqualTo(expected.getField("error"));
            assertThat((Object[]) actual.getField("vals"))
                    .as("values of row %s", id)
                    .containsExactly((Object[]) expected.getField("vals"));
        }
    }

    private static JobClient start(String sink, Configuration conf, int rowsPerSecond)
            throws Exception {
        return start(sink, conf, rowsPerSecond, true);
    }

    /**
     * Starts the job: a sequence of ids at {@code rowsPerSecond}, each a row (id, k, vals) computed
     * from its id, through {@code BATCH_NORM} into the sink named {@code sink}.
     */
    private static JobClient start(
            String sink, Configuration conf, int rowsPerSecond, boolean newSink) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE streamnorm");
        tables.executeSql(
                "CREATE TEMPORARY TABLE ids (id BIGINT) WITH ('connector' = 'datagen',"
                        + " 'rows-per-second' = '"
                        + rowsPerSecond
                        + "', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0',"
                        + " 'fields.id.end' = '"
                        + (ROWS - 1)
                        + "')");
        tables.executeSql(
                "CREATE TEMPORARY VIEW features AS SELECT id,"
                        + " CONCAT('k', CAST(MOD(id, 3) AS STRING)) AS k,"
                        + " ARRAY[CAST(id AS DOUBLE), 10 * SIN(CAST(id AS DOUBLE)),"
                        + " CAST(MOD(id * id, 11) AS DOUBLE)] AS vals FROM ids");
        if (newSink) {
            OUTPUTS.put(sink, new ConcurrentHashMap<>());
        }
        tables.toDataStream(
                        tables.sqlQuery(
                                "SELECT * FROM BATCH_NORM(input => TABLE features PARTITION BY k,"
                                        + " features => DESCRIPTOR(vals), batch_size => 4,"
                                        + " uid => 'bn')"))
                .sinkTo(new KeepById(sink))
                .uid("keep-" + sink);
        return env.executeAsync("batch norm savepoint " + sink);
    }

    /** Keeps output rows by id under a name; an id seen twice fails the job. */
    private static final class KeepById implements Sink<Row> {
        private static final long serialVersionUID = 1L;
        private final String name;

        KeepById(String name) {
            this.name = name;
        }

        @Override
        public SinkWriter<Row> createWriter(WriterInitContext context) {
            Map<Long, Row> kept = OUTPUTS.get(name);
            return new SinkWriter<>() {
                @Override
                public void write(Row row, Context context) {
                    Row before = kept.putIfAbsent((Long) row.getField("id"), row);
                    if (before != null) {
                        throw new IllegalStateException("row " + row + " twice");
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
