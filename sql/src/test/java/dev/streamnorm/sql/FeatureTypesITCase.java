package dev.streamnorm.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Features of every numeric type give the numbers of the same values as doubles: {@code
 * ARRAY<FLOAT>} and {@code FLOAT} columns (their values exact in float) come out as floats of the
 * double results, {@code INT} and {@code DECIMAL} columns as the double results. {@code BATCH_NORM}
 * train keeps the rows of an open batch in state, so their values are read twice: on arrival and
 * when the batch closes.
 */
class FeatureTypesITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static final String BATCH = ", batch_size => 2";

    private StreamTableEnvironment tables;

    @BeforeEach
    void tables() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE streamnorm");
        tables.executeSql(
                "CREATE TEMPORARY VIEW typed AS SELECT id, k,"
                        + " ARRAY[CAST(a AS DOUBLE), CAST(b AS DOUBLE), CAST(c AS DOUBLE)] AS d,"
                        + " ARRAY[CAST(a AS FLOAT), CAST(b AS FLOAT), CAST(c AS FLOAT)] AS f,"
                        + " CAST(a AS DOUBLE) AS x, CAST(b AS DOUBLE) AS y, CAST(c AS DOUBLE) AS z,"
                        + " CAST(a AS INT) AS i, CAST(b AS DECIMAL(6, 2)) AS dm,"
                        + " CAST(c AS FLOAT) AS fl"
                        + " FROM (VALUES (1, 'a', 1, 2.5, 0.25), (2, 'a', 3, -1.5, 4.75),"
                        + " (3, 'b', 7, 0.5, 1.5), (4, 'a', -2, 6.25, 2.0), (5, 'b', 5, 1.0, -3.5),"
                        + " (6, 'a', 4, 3.0, 0.5), (7, 'b', 9, 2.25, 8.0)) AS t(id, k, a, b, c)");
    }

    @Test
    void floatArraysGiveTheFloatsOfTheDoubleResults() throws Exception {
        for (String call : List.of("BATCH_NORM", "LAYER_NORM")) {
            String partition = call.equals("BATCH_NORM") ? " PARTITION BY k" : "";
            String options = call.equals("BATCH_NORM") ? BATCH : "";
            Map<Integer, Row> doubles = rows(call, partition, "DESCRIPTOR(d)" + options);
            Map<Integer, Row> floats = rows(call, partition, "DESCRIPTOR(f)" + options);
            assertThat(doubles).hasSize(7);
            for (int id : doubles.keySet()) {
                Object[] expected = (Object[]) doubles.get(id).getField("d");
                Object[] actual = (Object[]) floats.get(id).getField("f");
                assertThat(actual).as("%s row %s", call, id).hasSameSizeAs(expected);
                for (int v = 0; v < expected.length; v++) {
                    assertThat(actual[v]).isEqualTo((float) (double) (Double) expected[v]);
                }
            }
        }
    }

    @Test
    void intDecimalAndFloatColumnsGiveTheDoubleResults() throws Exception {
        Map<Integer, Row> doubles =
                rows("BATCH_NORM", " PARTITION BY k", "DESCRIPTOR(x, y, z)" + BATCH);
        Map<Integer, Row> typed =
                rows("BATCH_NORM", " PARTITION BY k", "DESCRIPTOR(i, dm, fl)" + BATCH);
        assertThat(doubles).hasSize(7);
        for (int id : doubles.keySet()) {
            Row expected = doubles.get(id);
            Row actual = typed.get(id);
            assertThat(actual.getField("error")).as("row %s", id).isNull();
            assertThat(actual.getField("i")).isEqualTo(expected.getField("x"));
            assertThat(actual.getField("dm")).isEqualTo(expected.getField("y"));
            assertThat(actual.getField("fl"))
                    .isEqualTo((float) (double) (Double) expected.getField("z"));
        }
    }

    /** The rows of {@code call} over view {@code typed} by id; none has an error. */
    private Map<Integer, Row> rows(String call, String partition, String features)
            throws Exception {
        Map<Integer, Row> rows = new TreeMap<>();
        try (CloseableIterator<Row> it =
                tables.executeSql(
                                "SELECT * FROM "
                                        + call
                                        + "(input => TABLE typed"
                                        + partition
                                        + ", features => "
                                        + features
                                        + ")")
                        .collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                assertThat(row.getField("error")).as("row %s", row).isNull();
                rows.put((Integer) row.getField("id"), row);
            }
        }
        return rows;
    }
}
