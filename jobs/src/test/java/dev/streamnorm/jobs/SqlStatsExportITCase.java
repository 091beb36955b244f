package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.jobs.cli.StreamnormCli;
import dev.streamnorm.jobs.stats.SqlSavepointStats;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running stats that a SQL {@code BATCH_NORM} train job's savepoint holds, read with {@link
 * SqlSavepointStats}, equal the DataStream operator's final stats on the same rows; and an eval job
 * restored from that savepoint without a stats file normalizes as an eval job given the exported
 * file.
 */
class SqlStatsExportITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    /** 3 keys × 200 rows: 50 batches of 4 per key, none left open. */
    private static final int ROWS = 600;

    private static final AtomicLong EMITTED = new AtomicLong();

    @Test
    void savepointOfASqlJobExportsTheDataStreamStats(@TempDir Path savepoints) throws Exception {
        String savepoint = runSqlAndStopWithSavepoint(savepoints);

        StatsFile exported =
                SqlSavepointStats.read(savepoint, "bn-stats", "STRING", new HashMapStateBackend());

        Map<String, RunningStats> expected = dataStreamFinalStats();
        assertThat(expected).hasSize(3);
        assertThat(exported.stats.keys()).containsExactly("k0", "k1", "k2");
        for (String key : expected.keySet()) {
            RunningStats stats = exported.stats.lookupExact(key);
            assertThat(stats.numBatchesTracked()).isEqualTo(50);
            assertThat(stats).as("stats of %s", key).isEqualTo(expected.get(key));
        }

        Path file = savepoints.resolve("sql-stats.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                StreamnormCli.execute(
                        new String[] {
                            "stats",
                            "export",
                            "--savepoint",
                            savepoint,
                            "--uid",
                            "bn-stats",
                            "--sql-key",
                            "STRING",
                            "--out",
                            file.toString()
                        },
                        new PrintWriter(out, true),
                        new PrintWriter(err, true));
        assertThat(exit).as("stderr: %s", err).isZero();
        assertThat(out.toString()).contains("wrote 3 entries");
        StatsFile written = StatsFile.read(file);
        for (String key : expected.keySet()) {
            assertThat(written.stats.lookupExact(key)).isEqualTo(expected.get(key));
        }

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        // The train job's source state has no operator in the eval job.
        restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        Map<Long, List<Double>> fromSavepoint = eval(restore, "");
        Map<Long, List<Double>> fromFile =
                eval(new Configuration(), ", stats => '" + file.toAbsolutePath() + "'");
        assertThat(fromSavepoint).hasSize(EVAL_ROWS).isEqualTo(fromFile);

        assertThatThrownBy(
                        () ->
                                SqlSavepointStats.read(
                                        savepoint, "other", "STRING", new HashMapStateBackend()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operator 'other'");
        assertThatThrownBy(() -> SqlSavepointStats.read(savepoint, "bn-stats", "STRIN", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key types 'STRIN' are not SQL types");
    }

    /**
     * The view {@code features} (id, k, vals) of table {@code ids}' ids below {@code end}. Train
     * and eval jobs define it alike, so that the function's input rows have the same type in both:
     * the state of the open batches holds rows of that type, and a savepoint restores only into a
     * call whose input rows and keys have it. The ids are made nullable in both (a DataStream's ids
     * are NOT NULL, the datagen table's are not).
     */
    private static String featuresView(int end) {
        return "CREATE TEMPORARY VIEW features AS SELECT id,"
                + " CONCAT('k', CAST(MOD(id, 3) AS STRING)) AS k,"
                + " ARRAY[CAST(id AS DOUBLE), 10 * SIN(CAST(id AS DOUBLE)),"
                + " CAST(MOD(id * id, 11) AS DOUBLE)] AS vals"
                + " FROM (SELECT NULLIF(id, -1) AS id FROM ids) WHERE id < "
                + end;
    }

    /** Row {@code id}'s values, as the SQL view computes them. */
    private static double[] values(long id) {
        return new double[] {id, 10 * Math.sin(id), (id * id) % 11};
    }

    /**
     * Runs {@code BATCH_NORM} train over ids 0..599 of an unbounded sequence (the job keeps
     * running), waits for every row, and stops with a savepoint; returns its path.
     */
    private static String runSqlAndStopWithSavepoint(Path savepoints) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE streamnorm");
        tables.executeSql(
                "CREATE TEMPORARY TABLE ids (id BIGINT) WITH ('connector' = 'datagen',"
                        + " 'rows-per-second' = '2000', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '0', 'fields.id.end' = '100000')");
        tables.executeSql(featuresView(ROWS));
        EMITTED.set(0);
        tables.toDataStream(
                        tables.sqlQuery(
                                "SELECT * FROM BATCH_NORM(input => TABLE features PARTITION BY k,"
                                        + " features => DESCRIPTOR(vals), batch_size => 4,"
                                        + " uid => 'bn-stats')"))
                .sinkTo(new Count());
        JobClient job = env.executeAsync("sql batch norm for stats export");
        while (EMITTED.get() < ROWS) {
            Thread.sleep(20);
        }
        return job.stopWithSavepoint(
                        false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
    }

    /** The rows after the train job's: ids 600..899, same keys. */
    private static final int EVAL_ROWS = 300;

    /**
     * The normalized values by id of {@code BATCH_NORM} eval mode (uid {@code bn-stats}, {@code
     * extraArguments} appended to the call) over rows 600..899, in a job with {@code conf}; fails
     * on a row with an error.
     */
    private static Map<Long, List<Double>> eval(Configuration conf, String extraArguments)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE streamnorm");
        List<Long> ids = new ArrayList<>();
        for (long id = ROWS; id < ROWS + EVAL_ROWS; id++) {
            ids.add(id);
        }
        // Own uid: the train job's source state (in the savepoint) is not this source's.
        tables.createTemporaryView(
                "ids",
                tables.fromDataStream(env.fromData(ids, Types.LONG).uid("eval-ids")).as("id"));
        tables.executeSql(featuresView(ROWS + EVAL_ROWS));
        Map<Long, List<Double>> normalized = new HashMap<>();
        try (CloseableIterator<Row> it =
                tables.executeSql(
                                "SELECT * FROM BATCH_NORM(input => TABLE features PARTITION BY"
                                        + " k, features => DESCRIPTOR(vals), mode => 'eval',"
                                        + " uid => 'bn-stats'"
                                        + extraArguments
                                        + ")")
                        .collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                assertThat(row.getField("error")).as("row %s", row).isNull();
                List<Double> values = new ArrayList<>();
                for (Object value : (Object[]) row.getField("vals")) {
                    values.add((Double) value);
                }
                normalized.put((Long) row.getField("id"), values);
            }
        }
        return normalized;
    }

    /** The DataStream operator's final stats by key on the same rows, in the same order. */
    private static Map<String, RunningStats> dataStreamFinalStats() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<FeatureRecord> records = new ArrayList<>();
        for (long id = 0; id < ROWS; id++) {
            records.add(FeatureRecord.of("k" + id % 3, id, values(id)));
        }
        SingleOutputStreamOperator<FeatureRecord> normalized =
                Normalization.builder()
                        .setMode(Mode.TRAIN)
                        .setShape(RecordShape.vector(3))
                        .setBatchSize(4)
                        .setBatchTimeout(Duration.ZERO)
                        .setEmitFinalStats(true)
                        .build()
                        .apply(env.fromData(records, FeatureRecordTypeInfoFactory.TYPE_INFO));
        Map<String, RunningStats> stats = new HashMap<>();
        try (CloseableIterator<Tuple2<String, RunningStats>> it =
                normalized.getSideOutput(Normalization.FINAL_STATS).executeAndCollect()) {
            it.forEachRemaining(entry -> stats.put(entry.f0, entry.f1));
        }
        return stats;
    }

    /** Counts the SQL job's output rows in {@link #EMITTED}. */
    private static final class Count implements Sink<Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Row> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Row row, Context context) {
                    EMITTED.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
