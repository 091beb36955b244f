package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamnorm.jobs.cli.StreamnormCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.MathContext;
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
                    Reference.transform(
                            norm, byKey.get(key).subList(0, n), byKey.get(key).get(n - 1));
            compare(key + " record " + n, record.get("values"), expected, problems);
        }
        Messages.assertNoProblems("train outputs", problems);

        JsonNode file = JSON.readTree(stats.toFile());
        assertThat(file.get("norm").asText()).isEqualTo(norm);
        for (String key : byKey.keySet()) {
            JsonNode entry = file.get("keys").get(key);
            assertThat(entry.get("n_samples_seen_").asLong()).isEqualTo(PER_KEY);
            Map<String, double[]> attributes = Reference.attributes(norm, byKey.get(key));
            for (Map.Entry<String, double[]> a : attributes.entrySet()) {
                compare(key + " " + a.getKey(), entry.get(a.getKey()), a.getValue(), problems);
            }
        }
        Messages.assertNoProblems("final stats", problems);

        // A fitted scikit-learn scaler of key k1 dumped as JSON, served as '*' in eval mode.
        Map<String, double[]> fitted = Reference.attributes(norm, byKey.get("k1"));
        ObjectNode sklearn = JSON.createObjectNode().put("sklearn", Reference.sklearnName(norm));
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
            double[] expected = Reference.apply(norm, fitted, x);
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
        assertThat(sklearn.get("sklearn").asText()).isEqualTo(Reference.sklearnName(norm));
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

    /** An independent reference of scikit-learn's scalers: two-pass, over all records so far. */
    static final class Reference {
        private static final double EPS = Math.ulp(1.0);

        static String sklearnName(String norm) {
            switch (norm) {
                case "standard":
                    return "StandardScaler";
                case "minmax":
                    return "MinMaxScaler";
                case "maxabs":
                    return "MaxAbsScaler";
                default:
                    return "RobustScaler";
            }
        }

        static double[] transform(String norm, List<double[]> rows, double[] x) {
            return apply(norm, attributes(norm, rows), x);
        }

        static double[] apply(String norm, Map<String, double[]> a, double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                switch (norm) {
                    case "standard":
                        y[i] = (x[i] - a.get("mean_")[i]) / a.get("scale_")[i];
                        break;
                    case "minmax":
                        y[i] = x[i] * a.get("scale_")[i] + a.get("min_")[i];
                        break;
                    case "maxabs":
                        y[i] = x[i] / a.get("scale_")[i];
                        break;
                    default:
                        y[i] = (x[i] - a.get("center_")[i]) / a.get("scale_")[i];
                }
            }
            return y;
        }

        static Map<String, double[]> attributes(String norm, List<double[]> rows) {
            int f = rows.get(0).length;
            int n = rows.size();
            Map<String, double[]> a = new LinkedHashMap<>();
            double[] scale = new double[f];
            switch (norm) {
                case "standard":
                    double[] mean = new double[f];
                    double[] var = new double[f];
                    for (int i = 0; i < f; i++) {
                        // exact sums, rounded once
                        BigDecimal sum = BigDecimal.ZERO;
                        for (double[] r : rows) {
                            sum = sum.add(new BigDecimal(r[i]));
                        }
                        BigDecimal exactMean =
                                sum.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128);
                        BigDecimal ss = BigDecimal.ZERO;
                        for (double[] r : rows) {
                            BigDecimal d = new BigDecimal(r[i]).subtract(exactMean);
                            ss = ss.add(d.multiply(d));
                        }
                        mean[i] = exactMean.doubleValue();
                        var[i] =
                                ss.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128)
                                        .doubleValue();
                        double bound = n * EPS * var[i] + Math.pow(n * mean[i] * EPS, 2);
                        scale[i] = var[i] <= bound ? 1 : Math.sqrt(var[i]);
                    }
                    a.put("mean_", mean);
                    a.put("var_", var);
                    break;
                case "minmax":
                    double[] lo = new double[f];
                    double[] hi = new double[f];
                    double[] min = new double[f];
                    for (int i = 0; i < f; i++) {
                        lo[i] = Double.POSITIVE_INFINITY;
                        hi[i] = Double.NEGATIVE_INFINITY;
                        for (double[] r : rows) {
                            lo[i] = Math.min(lo[i], r[i]);
                            hi[i] = Math.max(hi[i], r[i]);
                        }
                        double range = hi[i] - lo[i];
                        scale[i] = 2 / (range < 10 * EPS ? 1 : range);
                        min[i] = -1 - lo[i] * scale[i];
                    }
                    a.put("data_min_", lo);
                    a.put("data_max_", hi);
                    a.put("min_", min);
                    break;
                case "maxabs":
                    double[] maxAbs = new double[f];
                    for (int i = 0; i < f; i++) {
                        for (double[] r : rows) {
                            maxAbs[i] = Math.max(maxAbs[i], Math.abs(r[i]));
                        }
                        scale[i] = maxAbs[i] < 10 * EPS ? 1 : maxAbs[i];
                    }
                    a.put("max_abs_", maxAbs);
                    break;
                default:
                    double[] center = new double[f];
                    for (int i = 0; i < f; i++) {
                        double[] column = new double[n];
                        for (int r = 0; r < n; r++) {
                            column[r] = rows.get(r)[i];
                        }
                        Arrays.sort(column);
                        center[i] =
                                n % 2 == 1
                                        ? column[n / 2]
                                        : (column[n / 2 - 1] + column[n / 2]) / 2;
                        double range = percentile(column, 75) - percentile(column, 25);
                        scale[i] = range < 10 * EPS ? 1 : range;
                    }
                    a.put("center_", center);
            }
            a.put("scale_", scale);
            return a;
        }

        private static double percentile(double[] sorted, double q) {
            double h = (sorted.length - 1) * q / 100;
            int lo = (int) Math.floor(h);
            int hi = Math.min(lo + 1, sorted.length - 1);
            return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
        }
    }
}
