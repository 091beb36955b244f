package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.jobs.cli.StreamnormCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnorm sql -f}: a filesystem JSON table in, {@code BATCH_NORM} train {@code PARTITION
 * BY key} and {@code LAYER_NORM} into filesystem JSON tables, equal row for row (values bit for
 * bit, error codes = dead-letter codes) to {@code streamnorm run} on the same file.
 */
class SqlFileITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    private static final int RECORDS = 5000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    @Test
    void sqlScriptWritesWhatRunWrites() throws Exception {
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, input(), StandardCharsets.UTF_8);
        Path script = tmp.resolve("script.sql");
        Files.writeString(
                script,
                String.format(
                        Locale.ROOT,
                        "CREATE TABLE features (id BIGINT, `key` STRING, `values` ARRAY<DOUBLE>)"
                                + " WITH ('connector' = 'filesystem', 'path' = '%s', 'format' ="
                                + " 'json');%n"
                                + "CREATE TABLE bn_out (`key` STRING, id BIGINT, `values`"
                                + " ARRAY<DOUBLE>, error STRING) WITH ('connector' ="
                                + " 'filesystem', 'path' = '%s', 'format' = 'json');%n"
                                + "CREATE TABLE ln_out (id BIGINT, `key` STRING, `values`"
                                + " ARRAY<DOUBLE>, error STRING) WITH ('connector' ="
                                + " 'filesystem', 'path' = '%s', 'format' = 'json');%n"
                                + "INSERT INTO bn_out SELECT * FROM BATCH_NORM(input => TABLE features"
                                + " PARTITION BY `key`, features => DESCRIPTOR(`values`), mode =>"
                                + " 'train', batch_size => 16);%n"
                                + "INSERT INTO ln_out SELECT * FROM LAYER_NORM(input => TABLE"
                                + " features, features => DESCRIPTOR(`values`));%n",
                        in.toUri(),
                        tmp.resolve("sql-bn").toUri(),
                        tmp.resolve("sql-ln").toUri()));
        cli("sql", "-f", script.toString());
        cli(
                "run",
                "--input",
                in.toUri().toString(),
                "--output",
                tmp.resolve("run-bn.jsonl").toUri().toString(),
                "--dead-letter",
                tmp.resolve("run-bn-dead.jsonl").toUri().toString(),
                "--batch-size",
                "16",
                "--batch-timeout",
                "0",
                "--parallelism",
                "1");
        cli(
                "run",
                "--norm",
                "layer",
                "--input",
                in.toUri().toString(),
                "--output",
                tmp.resolve("run-ln.jsonl").toUri().toString(),
                "--dead-letter",
                tmp.resolve("run-ln-dead.jsonl").toUri().toString(),
                "--parallelism",
                "1");
        assertSame(tmp.resolve("sql-bn"), "run-bn", "wrong-length", "not-a-number");
        // Layer norm without a shape takes any length.
        assertSame(tmp.resolve("sql-ln"), "run-ln", "not-a-number");
    }

    private void assertSame(Path sqlDir, String run, String... codes) throws IOException {
        Map<Long, String> sql = new HashMap<>();
        try (Stream<Path> files = Files.list(sqlDir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode row = JSON.readTree(line);
                    String error = row.get("error").isNull() ? null : row.get("error").asText();
                    assertThat(sql.put(row.get("id").asLong(), error != null ? error : text(row)))
                            .isNull();
                }
            }
        }
        Map<Long, String> expected = new HashMap<>();
        for (String line : Files.readAllLines(tmp.resolve(run + ".jsonl"))) {
            JsonNode row = JSON.readTree(line);
            expected.put(row.get("id").asLong(), text(row));
        }
        for (String line : Files.readAllLines(tmp.resolve(run + "-dead.jsonl"))) {
            JsonNode letter = JSON.readTree(line);
            expected.put(
                    JSON.readTree(letter.get("input").asText()).get("id").asLong(),
                    letter.get("error").asText());
        }
        assertThat(expected).hasSize(RECORDS);
        assertThat(sql).isEqualTo(expected);
        assertThat(expected.values()).contains(codes);
    }

    /** A row's values as the text of the doubles they parse to. */
    private static String text(JsonNode row) {
        List<String> values = new ArrayList<>();
        for (JsonNode value : row.get("values")) {
            values.add(Double.toString(value.asDouble()));
        }
        return values.toString();
    }

    private static List<String> input() {
        Random random = new Random(11);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            int length = i % 211 == 210 ? 3 : 4;
            StringBuilder values = new StringBuilder();
            for (int v = 0; v < length; v++) {
                values.append(v == 0 ? "" : ",")
                        .append(i % 307 == 306 && v == 1 ? "null" : 10 * v + random.nextGaussian());
            }
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "{\"id\":%d,\"key\":\"k%d\",\"values\":[%s]}",
                            i,
                            random.nextInt(6),
                            values));
        }
        return lines;
    }

    private static void cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                StreamnormCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).as("streamnorm %s; stderr: %s", args[0], err).isZero();
    }
}
