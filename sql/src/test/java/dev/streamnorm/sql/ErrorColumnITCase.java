package dev.streamnorm.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad rows never fail a job: each gets its error code in the {@code error} column with NULL
 * features, and rows in = rows out. Bad arguments fail the statement when it is planned, with one
 * message naming the function and the argument.
 */
class ErrorColumnITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    private StreamTableEnvironment tables;

    @BeforeEach
    void tables() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE streamnorm");
        tables.executeSql(
                "CREATE TEMPORARY VIEW rows_in AS SELECT * FROM (VALUES"
                        + " (1, 'a', ARRAY[1.0e0, 2.0e0, 3.0e0], 1.0e0, 2.0e0),"
                        + " (2, 'a', CAST(NULL AS ARRAY<DOUBLE>), CAST(NULL AS DOUBLE),"
                        + " CAST(NULL AS DOUBLE)),"
                        + " (3, 'a', ARRAY[1.0e0, CAST(NULL AS DOUBLE), 3.0e0], 1.0e0,"
                        + " CAST(NULL AS DOUBLE)),"
                        + " (4, 'a', ARRAY[1.0e0, CAST('NaN' AS DOUBLE), 3.0e0],"
                        + " CAST('Infinity' AS DOUBLE), 2.0e0),"
                        + " (5, 'a', ARRAY[1.0e0, 2.0e0], 3.0e0, 4.0e0),"
                        + " (6, 'b', ARRAY[4.0e0, 5.0e0, 7.0e0], 5.0e0, 6.0e0),"
                        + " (7, 'a', ARRAY[2.0e0, 4.0e0, 9.0e0], 7.0e0, 8.0e0))"
                        + " AS t(id, k, vals, x, y)");
    }

    @Test
    void everyErrorCodeAndRowsInEqualRowsOut() throws Exception {
        Path stats = dir.resolve("stats.json");
        Files.writeString(
                stats,
                "{\"format\": \"streamnorm.stats/v1\", \"keys\": {\"a\": {\"running_mean\":"
                        + " [0, 0, 0], \"running_var\": [1, 1, 1], \"num_batches_tracked\": 1}}}");
        assertThat(
                        errors(
                                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features =>"
                                        + " DESCRIPTOR(vals), mode => 'eval', stats => '"
                                        + stats
                                        + "')"))
                .containsExactly(
                        null,
                        "missing-values",
                        "not-a-number",
                        "non-finite",
                        "wrong-length",
                        "no-stats",
                        null);
        assertThat(
                        errors(
                                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features =>"
                                        + " DESCRIPTOR(x, y), batch_size => 2)"))
                .containsExactly(
                        null, "missing-values", "not-a-number", "non-finite", null, null, null);
        assertThat(errors("LAYER_NORM(input => TABLE rows_in, features => DESCRIPTOR(vals))"))
                .containsExactly(
                        null, "missing-values", "not-a-number", "non-finite", null, null, null);
        assertThat(
                        errors(
                                "INSTANCE_NORM(input => TABLE rows_in, features =>"
                                        + " DESCRIPTOR(vals), shape => '1x3')"))
                .containsExactly(
                        null,
                        "missing-values",
                        "not-a-number",
                        "non-finite",
                        "wrong-length",
                        null,
                        null);
    }

    @Test
    void registeredByClassName() throws Exception {
        StreamTableEnvironment plain =
                StreamTableEnvironment.create(
                        StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1));
        plain.executeSql(
                "CREATE TEMPORARY FUNCTION UNIT_NORM AS 'dev.streamnorm.sql.L2NormFunction'");
        plain.executeSql(
                "CREATE TEMPORARY VIEW one_row AS SELECT * FROM (VALUES (1, ARRAY[3.0e0,"
                        + " 4.0e0])) AS t(id, vals)");
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                plain.executeSql(
                                "SELECT * FROM UNIT_NORM(input => TABLE one_row, features =>"
                                        + " DESCRIPTOR(vals))")
                        .collect()) {
            it.forEachRemaining(rows::add);
        }
        assertThat(rows).hasSize(1);
        assertThat((Object[]) rows.get(0).getField(1)).containsExactly(0.6, 0.8);
        assertThat(rows.get(0).getField(2)).isNull();
    }

    @Test
    void badArgumentsFailWhenPlanned() {
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(nope))",
                "BATCH_NORM: argument 'features' column 'nope' is not a column of the input table");
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(k))",
                "BATCH_NORM: argument 'features' column 'k' is CHAR(1) NOT NULL; features must be numeric");
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(vals),"
                        + " mode => 'training')",
                "BATCH_NORM: argument 'mode' must be one of 'train', 'eval', 'online', got"
                        + " 'training'");
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(vals),"
                        + " batch_size => 0)",
                "BATCH_NORM: argument 'batch_size' must be positive, got 0");
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(vals),"
                        + " momentum => 'fast')",
                "BATCH_NORM: argument 'momentum': momentum must be a number in (0, 1] or"
                        + " 'cumulative', got 'fast'");
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(vals),"
                        + " mode => 'eval')",
                "BATCH_NORM: argument 'stats' is required in eval mode");
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(vals),"
                        + " stats => '/no/such/stats.json')",
                "BATCH_NORM: argument 'stats': ");
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(vals),"
                        + " batch_interval => '1 min')",
                "BATCH_NORM: argument 'batch_interval' batches by event time: it needs on_time");
        assertPlanningError(
                "GROUP_NORM(input => TABLE rows_in, features => DESCRIPTOR(vals), shape => '3',"
                        + " `groups` => 2)",
                "GROUP_NORM: groups must divide channels: 2 groups, 3 channels");
        assertPlanningError(
                "LAYER_NORM(input => TABLE rows_in, features => DESCRIPTOR(vals), `groups` => 2)",
                "LAYER_NORM: argument 'groups' applies to GROUP_NORM only");
        assertPlanningError(
                "BATCH_NORM(input => TABLE rows_in PARTITION BY k, features => DESCRIPTOR(vals),"
                        + " eps => 0.001)",
                "BATCH_NORM: argument 'eps' must be a constant Double value such as 1e-3");
        assertPlanningError(
                "INSTANCE_NORM(input => TABLE rows_in, features => DESCRIPTOR(vals))",
                "INSTANCE_NORM: instance norm needs argument 'shape' CxL with L >= 2");
    }

    private void assertPlanningError(String call, String message) {
        assertThatThrownBy(() -> tables.executeSql("SELECT * FROM " + call))
                .satisfies(
                        e -> {
                            Throwable root = e;
                            while (root.getCause() != null) {
                                root = root.getCause();
                            }
                            assertThat(root.getMessage()).startsWith(message);
                        });
    }

    /** The error column of a call's rows, ordered by id; checks rows in = rows out. */
    private List<String> errors(String call) throws Exception {
        TableResult result = tables.executeSql("SELECT id, error FROM " + call);
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(rows::add);
        }
        rows.sort(java.util.Comparator.comparing(row -> (Integer) row.getField(0)));
        List<Integer> ids = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Row row : rows) {
            ids.add((Integer) row.getField(0));
            errors.add((String) row.getField(1));
        }
        assertThat(ids).containsExactly(1, 2, 3, 4, 5, 6, 7);
        return errors;
    }
}
