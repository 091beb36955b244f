package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.sql.SqlRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SQL jobs on real Kafka tables: {@code BATCH_NORM} and {@code LAYER_NORM} between Kafka topics in
 * the json, csv and avro formats (features as an ARRAY column and as separate columns) give the
 * same rows as the same calls on the rows in memory; and a Kafka → Kafka job with exactly-once
 * delivery and an injected failure leaves every id once for a {@code read_committed} reader.
 */
class SqlKafkaITCase {
    @Order(1)
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Order(2)
    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    private static final int ROWS = 2000;

    /** Every 101st row has a NULL feature: an array element and the column f1. */
    private static final List<Row> DATA = rows(ROWS);

    private static final String COLUMNS =
            "id BIGINT, k STRING, vals ARRAY<DOUBLE>, f0 DOUBLE, f1 DOUBLE, f2 DOUBLE";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"json", "csv", "avro"})
    void formats(String format) throws Exception {
        KAFKA.kafka()
                .createTopics(1, "in-" + format, "bn-" + format, "cols-" + format, "ln-" + format);
        StreamTableEnvironment tables = tables(Duration.ZERO);
        SqlRunner sql = new SqlRunner(tables);
        String memory = format.equals("csv") ? "memory_csv" : "memory";
        sql.run(
                kafkaTable("kafka_in", "in-" + format, format, COLUMNS)
                        + kafkaTable(
                                "bn_out",
                                "bn-" + format,
                                format,
                                "k STRING, id BIGINT, vals ARRAY<DOUBLE>, f0 DOUBLE, f1 DOUBLE,"
                                        + " f2 DOUBLE, error STRING")
                        + kafkaTable(
                                "cols_out",
                                "cols-" + format,
                                format,
                                "k STRING, id BIGINT, vals ARRAY<DOUBLE>, f0 DOUBLE, f1 DOUBLE,"
                                        + " f2 DOUBLE, error STRING")
                        + kafkaTable("ln_out", "ln-" + format, format, COLUMNS + ", error STRING")
                        + "INSERT INTO kafka_in SELECT * FROM "
                        + memory
                        + ";"
                        + "INSERT INTO bn_out SELECT * FROM "
                        + batchNorm("kafka_in", "vals")
                        + ";INSERT INTO cols_out SELECT * FROM "
                        + batchNorm("kafka_in", "f0, f1, f2")
                        + ";INSERT INTO ln_out SELECT * FROM "
                        + layerNorm("kafka_in")
                        + ";");
        assertSameRows(read(tables, "bn_out"), read(tables, batchNorm(memory, "vals")));
        assertSameRows(read(tables, "cols_out"), read(tables, batchNorm(memory, "f0, f1, f2")));
        assertSameRows(read(tables, "ln_out"), read(tables, layerNorm(memory)));
    }

    @Test
    void exactlyOnceThroughAFailure() throws Exception {
        KAFKA.kafka().createTopics(1, "eo-in", "eo-out");
        StreamTableEnvironment tables = tables(Duration.ofMillis(200));
        SqlRunner sql = new SqlRunner(tables);
        tables.createTemporarySystemFunction("fail_once", FailOnce.class);
        sql.run(
                kafkaTable("eo_in", "eo-in", "json", COLUMNS)
                        + kafkaTable(
                                        "eo_out",
                                        "eo-out",
                                        "json",
                                        "k STRING, id BIGINT, vals ARRAY<DOUBLE>, f0 DOUBLE, f1 DOUBLE,"
                                                + " f2 DOUBLE, error STRING")
                                .replace(
                                        "'format' = 'json'",
                                        "'format' = 'json', 'sink.delivery-guarantee' ="
                                                + " 'exactly-once',"
                                                + " 'sink.transactional-id-prefix' = 'sql-eo',"
                                                + " 'properties.transaction.timeout.ms' ="
                                                + " '600000'")
                        + "INSERT INTO eo_in SELECT * FROM memory;"
                        + "CREATE TEMPORARY VIEW slow_in AS SELECT * FROM eo_in WHERE"
                        + " fail_once(id);"
                        + "INSERT INTO eo_out SELECT * FROM "
                        + batchNorm("slow_in", "vals")
                        + ";");
        assertThat(FailOnce.FAILED.get()).as("the injected failure happened").isTrue();
        ObjectMapper json = new ObjectMapper();
        Map<Long, Integer> seen = new HashMap<>();
        try (TestKafka.CommittedReader reader =
                new TestKafka.CommittedReader(KAFKA.kafka().bootstrapServers(), "eo-out")) {
            reader.readToEnd(TestKafka.WAIT);
            for (ConsumerRecord<byte[], byte[]> record : reader.records()) {
                JsonNode row = json.readTree(record.value());
                seen.merge(row.get("id").asLong(), 1, Integer::sum);
            }
        }
        assertThat(seen).hasSize(ROWS);
        assertThat(seen.values()).containsOnly(1);
        assertSameRows(read(tables, "eo_out"), read(tables, batchNorm("memory", "vals")));
    }

    /** Fails the job once, at row 1500 of its first run, after slowing that run down. */
    public static final class FailOnce extends ScalarFunction {
        static final AtomicBoolean FAILED = new AtomicBoolean();

        public boolean eval(Long id) throws InterruptedException {
            if (!FAILED.get()) {
                Thread.sleep(2);
                if (id == 1500 && FAILED.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure at row " + id);
                }
            }
            return true;
        }
    }

    private static String batchNorm(String table, String features) {
        return "BATCH_NORM(input => TABLE "
                + table
                + " PARTITION BY k, features => DESCRIPTOR("
                + features
                + "), batch_size => 16, momentum => '0.1')";
    }

    private static String layerNorm(String table) {
        return "LAYER_NORM(input => TABLE " + table + ", features => DESCRIPTOR(vals))";
    }

    private static String kafkaTable(String name, String topic, String format, String columns) {
        return "CREATE TABLE "
                + name
                + " ("
                + columns
                + ") WITH ('connector' = 'kafka', 'topic' = '"
                + topic
                + "', 'properties.bootstrap.servers' = '"
                + KAFKA.kafka().bootstrapServers()
                + "', 'properties.isolation.level' = 'read_committed',"
                + " 'scan.startup.mode' = 'earliest-offset',"
                + " 'scan.bounded.mode' = 'latest-offset', 'format' = '"
                + format
                + "'"
                // CSV writes a NULL array element as an empty field unless told otherwise.
                + (format.equals("csv") ? ", 'csv.null-literal' = 'null'" : "")
                + ");";
    }

    /** A table environment at parallelism 1 with the rows in memory as view {@code memory}. */
    private static StreamTableEnvironment tables(Duration checkpoints) {
        Configuration conf = new Configuration();
        conf.setString("parallelism.default", "1");
        if (!checkpoints.isZero()) {
            conf.setString("execution.checkpointing.interval", checkpoints.toMillis() + " ms");
            conf.setString("restart-strategy.type", "fixed-delay");
            conf.setString("restart-strategy.fixed-delay.attempts", "3");
            conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        TypeInformation<Row> type =
                Types.ROW_NAMED(
                        new String[] {"id", "k", "vals", "f0", "f1", "f2"},
                        Types.LONG,
                        Types.STRING,
                        Types.OBJECT_ARRAY(Types.DOUBLE),
                        Types.DOUBLE,
                        Types.DOUBLE,
                        Types.DOUBLE);
        tables.createTemporaryView("memory", tables.fromDataStream(env.fromData(DATA, type)));
        // CSV cannot tell a NULL array element (nor a NULL array) from text: there the bad
        // element is NaN.
        tables.createTemporaryView(
                "memory_csv",
                tables.sqlQuery(
                        "SELECT id, k, CASE WHEN f1 IS NULL THEN ARRAY[vals[1], CAST('NaN' AS"
                                + " DOUBLE), vals[3]] ELSE vals END AS vals, f0, f1, f2 FROM"
                                + " memory"));
        return tables;
    }

    private static List<Row> rows(int count) {
        Random random = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            Double[] values = new Double[3];
            for (int v = 0; v < 3; v++) {
                values[v] = v * 2.5 + (v + 1) * random.nextGaussian();
            }
            if (i % 101 == 100) {
                values[1] = null;
            }
            rows.add(Row.of(i, "k" + random.nextInt(5), values, values[0], values[1], values[2]));
        }
        return rows;
    }

    /** The rows of a table or a call, by id, each as its fields' text. */
    private static Map<Long, String> read(StreamTableEnvironment tables, String source)
            throws Exception {
        TableResult result = tables.executeSql("SELECT * FROM " + source);
        int id = result.getResolvedSchema().getColumnNames().indexOf("id");
        Map<Long, String> rows = new HashMap<>();
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < row.getArity(); i++) {
                    Object field = row.getField(i);
                    text.append(text(field)).append(' ');
                }
                assertThat(rows.put((Long) row.getField(id), text.toString()))
                        .as("row %s once", row.getField(id))
                        .isNull();
            }
        }
        return rows;
    }

    /**
     * A field as text; an array of one NULL reads as NULL: the CSV format writes a NULL array as
     * its null literal and reads that back as an array of one NULL element.
     */
    private static String text(Object field) {
        if (!(field instanceof Object[])) {
            return String.valueOf(field);
        }
        Object[] array = (Object[]) field;
        return array.length == 1 && array[0] == null ? "null" : java.util.Arrays.toString(array);
    }

    private static void assertSameRows(Map<Long, String> actual, Map<Long, String> expected) {
        assertThat(expected).hasSize(ROWS);
        assertThat(actual).isEqualTo(expected);
        assertThat(expected.values())
                .anyMatch(r -> r.endsWith("not-a-number ") || r.endsWith("non-finite "));
    }
}
