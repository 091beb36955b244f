package dev.streamnorm.jobs.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.sql.SqlRunner;
import dev.streamnorm.state.Affine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden vectors through SQL: every case whose batches map onto one SQL call (batch norm: a
 * sequence of training batches of one size, or of eval batches; layer norm over the whole record;
 * group norm; instance norm without running stats), each batch's records as rows of one key, the
 * outputs within the case's tolerance.
 */
class SqlGoldenITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    static Stream<GoldenCase> cases() throws IOException {
        Path golden = Path.of(System.getProperty("streamnorm.golden.dir", "../golden"));
        List<GoldenCase> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(golden)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                JsonNode root =
                        file.toString().endsWith(".json") ? JSON.readTree(file.toFile()) : null;
                if (root != null && root.has("op")) {
                    GoldenCase golden1 = GoldenCase.fromJson(file, root);
                    if (call(golden1, Path.of("stats"), Path.of("affine")) != null) {
                        cases.add(golden1);
                    }
                }
            }
        }
        assertThat(cases).hasSizeGreaterThan(20);
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sqlMatchesTheGoldenOutputs(GoldenCase golden) throws Exception {
        Path stats = dir.resolve("stats.json");
        Path affine = dir.resolve("affine.json");
        if (golden.op.equals("batchnorm")) {
            StatsTable table =
                    StatsTable.of(
                            Map.of(StatsTable.ANY_KEY, States.runningStats(golden.initialState)));
            StatsFile.of(table, null).write(stats, table.keys());
        }
        Affine weights = golden.affine();
        Map<String, Object> affineJson = new HashMap<>();
        int length = Math.max(weights.length(), 0);
        double[] weight = new double[length];
        double[] bias = new double[length];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = weights.weight(i);
            bias[i] = weights.bias(i);
        }
        if (weights.hasWeight()) {
            affineJson.put("weight", weight);
        }
        if (weights.hasBias()) {
            affineJson.put("bias", bias);
        }
        Files.writeString(affine, JSON.writeValueAsString(affineJson));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        new SqlRunner(tables);
        List<Row> rows = new ArrayList<>();
        List<double[]> expected = new ArrayList<>();
        for (GoldenCase.Batch batch : golden.batches) {
            for (int r = 0; r < batch.input.length; r++) {
                rows.add(Row.of((long) rows.size(), "g", batch.input[r]));
                expected.add(
                        GoldenCase.flatten(batch.output.get(r), golden.shape.size(), "output"));
            }
        }
        TypeInformation<Row> type =
                Types.ROW_NAMED(
                        new String[] {"id", "k", "vals"},
                        Types.LONG,
                        Types.STRING,
                        Types.PRIMITIVE_ARRAY(Types.DOUBLE));
        tables.createTemporaryView("golden", tables.fromDataStream(env.fromData(rows, type)));
        TableResult result =
                tables.executeSql("SELECT id, vals, error FROM " + call(golden, stats, affine));
        Map<Long, Object[]> out = new HashMap<>();
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                assertThat(row.getField(2)).as("error").isNull();
                out.put((Long) row.getField(0), (Object[]) row.getField(1));
            }
        }
        assertThat(out).hasSize(rows.size());
        for (int i = 0; i < expected.size(); i++) {
            Object[] got = out.get((long) i);
            double[] want = expected.get(i);
            for (int v = 0; v < want.length; v++) {
                double value = ((Number) got[v]).doubleValue();
                assertThat(Math.abs(value - want[v]))
                        .as(
                                "%s record %s value %s: got %s, expected %s",
                                golden.name, i, v, value, want[v])
                        .isLessThanOrEqualTo(
                                golden.tolerance.abs + golden.tolerance.rel * Math.abs(want[v]));
            }
        }
    }

    private static String doubleLiteral(double value) {
        String text = Double.toString(value);
        return text.contains("E") ? text : text + "E0";
    }

    /** The SQL call replaying {@code golden}, or null when its batches map onto none. */
    static String call(GoldenCase golden, Path stats, Path affine) {
        JsonNode params = golden.params;
        String shape = golden.shape.channels() + "x" + golden.shape.positions();
        String common =
                "(input => TABLE golden%s, features => DESCRIPTOR(vals), shape => '"
                        + shape
                        + "', eps => "
                        // An approximate literal: Flink SQL reads 0.001 as a DECIMAL.
                        + doubleLiteral(params.path("eps").asDouble())
                        + (golden.affine().isIdentity() ? "" : ", affine => '" + affine + "'");
        switch (golden.op) {
            case "layernorm":
                int normalized = 1;
                for (JsonNode d : params.path("normalized_shape")) {
                    normalized *= d.asInt();
                }
                return normalized == golden.shape.size()
                        ? "LAYER_NORM" + String.format(common, "") + ")"
                        : null;
            case "groupnorm":
                return "GROUP_NORM"
                        + String.format(common, "")
                        + ", `groups` => "
                        + params.path("num_groups").asInt()
                        + ")";
            case "instancenorm":
                return params.path("track_running_stats").asBoolean(false)
                                || golden.shape.positions() < 2
                        ? null
                        : "INSTANCE_NORM" + String.format(common, "") + ")";
            case "batchnorm":
                return batchNorm(golden, common, stats);
            default:
                return null;
        }
    }

    private static String batchNorm(GoldenCase golden, String common, Path stats) {
        JsonNode params = golden.params;
        if (!params.path("track_running_stats").asBoolean(true)) {
            return null;
        }
        boolean training = golden.batches.get(0).training;
        int size = golden.batches.get(0).input.length;
        for (GoldenCase.Batch batch : golden.batches) {
            if (batch.training != training || (training && batch.input.length != size)) {
                return null;
            }
        }
        String convention = params.path("convention").asText("pytorch");
        JsonNode momentum = params.get("momentum");
        String momentumText =
                momentum != null && !momentum.isNull()
                        ? momentum.asText()
                        : convention.equals("keras") ? "0.99" : "cumulative";
        if (!training && momentumText.equals("cumulative")) {
            momentumText = "0.1";
        }
        return "BATCH_NORM"
                + String.format(common, " PARTITION BY k")
                + ", stats => '"
                + stats
                + "', mode => '"
                + (training ? "train" : "eval")
                + "', batch_size => "
                + size
                + ", convention => '"
                + convention
                + "', momentum => '"
                + momentumText
                + "')";
    }
}
