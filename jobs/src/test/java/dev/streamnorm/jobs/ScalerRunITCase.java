package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamnorm.jobs.cli.StreamnormCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code streamnorm run --norm standard|minmax|maxabs|robust} on a file with bad lines: each key's
 * records come out transformed by the key's scaler fitted on its records up to and including each
 * one (an independent two-pass reference here), the bad lines are dead letters, the final stats
 * file holds scikit-learn's fitted attributes, and an eval run given the dumped scikit-learn form
 * of one key ({@code stats export --sklearn}'s form) writes exactly that scaler's transform.
 */
class ScalerRunITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 3;
    private static final int PER_KEY = 120;
    private static final int FEATURES = 3;
    private static final double EPS = Math.ulp(1.0);
    private static final List<String> BAD =
            List.of(
                    "{\"key\": \"k0\", \"values\": [1, 2",
                    "{\"key\": \"k1\", \"values\": [1, 2]}",
                    "{\"key\": \"k2\", \"values\": [1, \"x\", 3]}",
                    "{\"key\": \"k0\"}");

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @ParameterizedTest
    @ValueSource(strings = {"standard", "minmax", "maxabs", "robust"})
    void trainThenEvalThroughRun(String norm, @TempDir Path tmp) throws Exception {
        List<String> lines = new ArrayList<>();
        Map<String, List<double[]>> byKey = new LinkedHashMap<>();
        Path in = input(norm, tmp, lines, byKey);
        String[] extra =
                norm.equals("minmax") ? new String[] {"--feature-range", "-1,1"} : new String[0];
        Path out = tmp.resolve("out.jsonl");
        Path dead = tmp.resolve("dead.jsonl");
        Path stats = tmp.resolve("stats.json");
        run(
                join(new String[] {"--norm", norm, "--stats-out", stats.toString()}, extra),
                in,
                out,
                dead);

        List<String> outputs = Files.readAllLines(out, StandardCharsets.UTF_8);
        List<String> deadLetters = Files.readAllLines(dead, StandardCharsets.UTF_8);
        assertThat(outputs.size() + deadLetters.size()).isEqualTo(lines.size());
        assertThat(deadLetters).hasSize(4);
        assertThat(deadLetters)
                .extracting(d -> Messages.parse(d).get("error").asText())
                .containsExactlyInAnyOrder(
                        "malformed-json", "wrong-length", "not-a-number", "missing-values");

        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String text : outputs) {
            JsonNode record = Messages.parse(text);
            String key = record.get("key").asText();
            int n = seen.merge(key, 1, Integer::sum);
            double[] expected =
                    SklearnScalerReference.transform(
                            norm, byKey.get(key).subList(0, n), byKey.get(key).get(n - 1));
            compare(key + " record " + n, record.get("values"), expected, problems);
        }
        Messages.assertNoProblems("train outputs", problems);

        JsonNode file = JSON.readTree(stats.toFile());
        assertThat(file.get("norm").asText()).isEqualTo(norm);
        for (String key : byKey.keySet()) {
            JsonNode entry = file.get("keys").get(key);
            assertThat(entry.get("n_samples_seen_").asLong()).isEqualTo(PER_KEY);
            Map<String, double[]> attributes =
                    SklearnScalerReference.attributes(norm, byKey.get(key));
            for (Map.Entry<String, double[]> a : attributes.entrySet()) {
                compare(key + " " + a.getKey(), entry.get(a.getKey()), a.getValue(), problems);
            }
        }
        Messages.assertNoProblems("final stats", problems);

        // A fitted scikit-learn scaler of key k1 dumped as JSON, served as '*' in eval mode.
        Map<String, double[]> fitted = SklearnScalerReference.attributes(norm, byKey.get("k1"));
        ObjectNode sklearn =
                JSON.createObjectNode().put("sklearn", SklearnScalerReference.sklearnName(norm));
        ObjectNode params = sklearn.putObject("params");
        if (norm.equals("minmax")) {
            params.putArray("feature_range").add(-1).add(1);
        }
        ObjectNode attributes = sklearn.putObject("attributes");
        fitted.forEach(
                (name, values) -> {
                    var array = attributes.putArray(name);
                    Arrays.stream(values).forEach(array::add);
                });
        Path dump = tmp.resolve("sklearn.json");
        JSON.writeValue(dump.toFile(), sklearn);
        Path evalOut = tmp.resolve("eval.jsonl");
        run(
                new String[] {"--norm", norm, "--mode", "eval", "--stats", dump.toString()},
                in,
                evalOut,
                tmp.resolve("eval-dead.jsonl"));
        List<String> evalOutputs = Files.readAllLines(evalOut, StandardCharsets.UTF_8);
        assertThat(evalOutputs).hasSameSizeAs(outputs);
        for (String text : evalOutputs) {
            JsonNode record = Messages.parse(text);
            int id = record.get("id").asInt();
            double[] x = byKey.get("k" + (id % KEYS)).get(id / KEYS);
            double[] expected = SklearnScalerReference.apply(norm, fitted, x);
            JsonNode values = record.get("values");
            for (int i = 0; i < FEATURES; i++) {
                if (values.get(i).asDouble() != expected[i]) {
                    problems.add(
                            "eval record "
                                    + id
                                    + "["
                                    + i
                                    + "]: "
                                    + values.get(i)
                                    + " != "
                                    + expected[i]);
                }
            }
        }
        Messages.assertNoProblems("eval outputs (bit for bit)", problems);
    }

    @ParameterizedTest
    @ValueSource(strings = {"minmax", "robust"})
    void statsThroughSavepoints(String norm, @TempDir Path tmp) throws Exception {
        Path in = input(norm, tmp, new ArrayList<>(), new LinkedHashMap<>());
        String[] params =
                norm.equals("minmax") ? new String[] {"--feature-range", "-1,1"} : new String[0];
        Path stats = tmp.resolve("stats.json");
        run(
                join(new String[] {"--norm", norm, "--stats-out", stats.toString()}, params),
                in,
                tmp.resolve("train.jsonl"),
                tmp.resolve("d1.jsonl"));
        Path savepoint = tmp.resolve("savepoint");
        assertThat(
                        cli(
                                "stats",
                                "import",
                                "--in",
                                stats.toString(),
                                "--savepoint-out",
                                savepoint.toString()))
                .isZero();

        Path back = tmp.resolve("back.json");
        assertThat(
                        cli(
                                join(
                                        new String[] {
                                            "stats",
                                            "export",
                                            "--savepoint",
                                            savepoint.toString(),
                                            "--out",
                                            back.toString()
                                        },
                                        params)))
                .isZero();
        assertThat(JSON.readTree(back.toFile())).isEqualTo(JSON.readTree(stats.toFile()));

        Path dump = tmp.resolve("k1.json");
        assertThat(
                        cli(
                                join(
                                        new String[] {
                                            "stats",
                                            "export",
                                            "--savepoint",
                                            savepoint.toString(),
                                            "--sklearn",
                                            "k1",
                                            "--out",
                                            dump.toString()
                                        },
                                        params)))
                .isZero();
        JsonNode sklearn = JSON.readTree(dump.toFile());
        assertThat(sklearn.get("sklearn").asText())
                .isEqualTo(SklearnScalerReference.sklearnName(norm));
        JsonNode k1 = JSON.readTree(stats.toFile()).get("keys").get("k1");
        assertThat(sklearn.get("attributes").get("scale_")).isEqualTo(k1.get("scale_"));
        assertThat(sklearn.get("attributes").get("n_samples_seen_").asLong()).isEqualTo(PER_KEY);

        Path fromSavepoint = tmp.resolve("eval-savepoint.jsonl");
        Path fromFile = tmp.resolve("eval-file.jsonl");
        run(
                join(
                        new String[] {
                            "--norm",
                            norm,
                            "--mode",
                            "eval",
                            "--from-savepoint",
                            savepoint.toString()
                        },
                        params),
                in,
                fromSavepoint,
                tmp.resolve("d2.jsonl"));
        run(
                join(
                        new String[] {
                            "--norm", norm, "--mode", "eval", "--stats", stats.toString()
                        },
                        params),
                in,
                fromFile,
                tmp.resolve("d3.jsonl"));
        assertThat(byId(fromSavepoint)).hasSize(KEYS * PER_KEY).isEqualTo(byId(fromFile));

        StringWriter shown = new StringWriter();
        assertThat(
                        StreamnormCli.execute(
                                new String[] {"stats", "show", savepoint.toString(), "--key", "k2"},
                                new PrintWriter(shown, true),
                                new PrintWriter(new StringWriter(), true)))
                .isZero();
        assertThat(shown.toString()).contains("k2  n_samples_seen_ " + PER_KEY).contains("scale_");
    }

    @Test
    void onlineStandardFollowsItsDefinitionAndIsDeterministic(@TempDir Path tmp) throws Exception {
        List<String> lines = new ArrayList<>();
        Map<String, List<double[]>> byKey = new LinkedHashMap<>();
        Path in = input("online", tmp, lines, byKey);
        String[] online = {"--norm", "standard", "--mode", "online", "--momentum", "0.05"};
        Path first = tmp.resolve("online-1.jsonl");
        Path second = tmp.resolve("online-2.jsonl");
        run(online, in, first, tmp.resolve("d1.jsonl"));
        run(online, in, second, tmp.resolve("d2.jsonl"));
        Map<Integer, String> outputs = byId(first);
        assertThat(outputs).hasSize(KEYS * PER_KEY).isEqualTo(byId(second));

        // d = x - mean; mean += m*d; var = (1 - m)*(var + m*d*d); first record: mean x, var 0
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> e : byKey.entrySet()) {
            List<double[]> rows = e.getValue();
            double[] mean = rows.get(0).clone();
            double[] var = new double[FEATURES];
            for (int n = 1; n <= rows.size(); n++) {
                double[] x = rows.get(n - 1);
                double[] expected = new double[FEATURES];
                for (int i = 0; i < FEATURES; i++) {
                    if (n > 1) {
                        double d = x[i] - mean[i];
                        mean[i] += 0.05 * d;
                        var[i] = 0.95 * (var[i] + 0.05 * d * d);
                    }
                    double bound = n * EPS * var[i] + Math.pow(n * mean[i] * EPS, 2);
                    expected[i] = (x[i] - mean[i]) / (var[i] <= bound ? 1 : Math.sqrt(var[i]));
                }
                int id = (n - 1) * KEYS + Integer.parseInt(e.getKey().substring(1));
                compare(
                        e.getKey() + " record " + n,
                        Messages.parse(outputs.get(id)).get("values"),
                        expected,
                        problems);
            }
        }
        Messages.assertNoProblems("online outputs", problems);
    }

    private static Map<Integer, String> byId(Path file) throws Exception {
        Map<Integer, String> records = new TreeMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            records.put(Messages.parse(line).get("id").asInt(), line);
        }
        return records;
    }

    private static int cli(String... args) {
        StringWriter stderr = new StringWriter();
        int exit =
                StreamnormCli.execute(
                        args,
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(stderr, true));
        assertThat(stderr.toString()).as("stderr of %s", List.of(args)).doesNotContain("Exception");
        return exit;
    }

    private static Path input(
            String norm, Path tmp, List<String> lines, Map<String, List<double[]>> byKey)
            throws Exception {
        SplittableRandom random = new SplittableRandom(norm.hashCode());
        for (int i = 0; i < KEYS * PER_KEY; i++) {
            String key = "k" + (i % KEYS);
            double[] x = {
                random.nextGaussian() * 3 + 1,
                1e4 + random.nextInt(10),
                i % 5 == 0 ? -0.0 : random.nextDouble() - 0.5
            };
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(x);
            ObjectNode record = JSON.createObjectNode().put("key", key).put("id", i);
            record.putArray("values").add(x[0]).add(x[1]).add(x[2]);
            lines.add(record.toString());
            if (i % 90 == 45) {
                lines.add(BAD.get((i / 90) % BAD.size()));
            }
        }
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, lines, StandardCharsets.UTF_8);
        return in;
    }

    private static void compare(
            String where, JsonNode got, double[] expected, List<String> problems) {
        for (int i = 0; i < expected.length; i++) {
            double g = got.get(i).asDouble();
            if (Math.abs(g - expected[i]) > 1e-9 + 1e-9 * Math.abs(expected[i])) {
                problems.add(where + "[" + i + "]: " + g + " != " + expected[i]);
            }
        }
    }

    private static String[] join(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void run(String[] options, Path in, Path out, Path dead) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "run",
                                "--input",
                                in.toUri().toString(),
                                "--output",
                                out.toUri().toString(),
                                "--dead-letter",
                                dead.toUri().toString(),
                                "--parallelism",
                                "2"));
        args.addAll(List.of(options));
        StringWriter stderr = new StringWriter();
        int exit =
                StreamnormCli.execute(
                        args.toArray(new String[0]),
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(stderr, true));
        assertThat(exit).as("exit code; stderr: %s", stderr).isZero();
    }
}
