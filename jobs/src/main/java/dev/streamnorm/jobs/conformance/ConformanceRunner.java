package dev.streamnorm.jobs.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs golden-vector cases (format of {@code golden/README.md}) through streamnorm's numeric
 * classes and prints one line per case and a summary.
 *
 * <pre>{@code
 * ConformanceRunner.Summary s = ConformanceRunner.run(List.of(Path.of("golden")), new PrintWriter(System.out));
 * }</pre>
 *
 * <p>Files are found by content, not by name: in a directory, every {@code *.json} file with an
 * {@code op} field is a case and other JSON files (such as an index) are skipped; a file named
 * explicitly must be a case. Every file is read before any case runs, so an unreadable one stops
 * the run before it starts.
 */
public final class ConformanceRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, Function<GoldenCase, Replay>> OPS =
            Map.of(
                    "batchnorm", BatchNormReplay::new,
                    "layernorm", SegmentNormReplay::layer,
                    "groupnorm", SegmentNormReplay::group,
                    "instancenorm", InstanceNormReplay::new,
                    "ema_standardizer", EmaStandardizerReplay::new,
                    "welford", WelfordReplay::new,
                    "standard_scaler", ScalerReplay::new,
                    "minmax_scaler", ScalerReplay::new,
                    "maxabs_scaler", ScalerReplay::new,
                    "robust_scaler", ScalerReplay::new);

    private ConformanceRunner() {}

    /** Counts of passed and failed cases. */
    public static final class Summary {
        public final int passed;
        public final int failed;

        Summary(int passed, int failed) {
            this.passed = passed;
            this.failed = failed;
        }
    }

    /**
     * Reads every case under {@code paths}, runs them in order and prints {@code PASS}/{@code FAIL}
     * lines and a last line {@code N passed, M failed} to {@code out}.
     *
     * @throws UnreadableCaseException if a path does not exist, a file is not valid JSON or not a
     *     golden case, or no case is found
     */
    public static Summary run(List<Path> paths, PrintWriter out) throws UnreadableCaseException {
        List<GoldenCase> cases = new ArrayList<>();
        for (Path path : paths) {
            cases.addAll(load(path));
        }
        if (cases.isEmpty()) {
            throw new UnreadableCaseException("no golden cases found in " + paths);
        }
        int passed = 0;
        for (GoldenCase golden : cases) {
            Comparison result = replay(golden);
            if (result.passed()) {
                passed++;
                out.println("PASS " + golden.name + " " + result.errors());
            } else {
                out.println("FAIL " + golden.name + " " + result.firstMismatch());
            }
        }
        int failed = cases.size() - passed;
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return new Summary(passed, failed);
    }

    /** Replays one case; a configuration the numeric classes reject is a failure, not a crash. */
    static Comparison replay(GoldenCase golden) {
        Comparison comparison = new Comparison(golden.tolerance);
        Function<GoldenCase, Replay> factory = OPS.get(golden.op);
        if (factory == null) {
            comparison.mismatch("unsupported op '" + golden.op + "'");
            return comparison;
        }
        try {
            Replay replay = factory.apply(golden);
            for (int b = 0; b < golden.batches.size(); b++) {
                GoldenCase.Batch batch = golden.batches.get(b);
                double[][] out = new double[batch.input.length][golden.shape.size()];
                Map<String, double[]> state = replay.run(batch, out);
                for (int r = 0; r < out.length; r++) {
                    String where = "batch " + b + " output[" + r + "]";
                    comparison.values(where, batch.output.path(r), out[r]);
                }
                comparison.state("batch " + b + " state", batch.stateAfter, state);
            }
        } catch (IllegalArgumentException e) {
            comparison.mismatch("rejected: " + e.getMessage());
        }
        return comparison;
    }

    private static List<GoldenCase> load(Path path) throws UnreadableCaseException {
        if (Files.isDirectory(path)) {
            List<GoldenCase> cases = new ArrayList<>();
            for (Path file : jsonFilesUnder(path)) {
                JsonNode root = parse(file);
                if (root.isObject() && root.has("op")) {
                    cases.add(toCase(file, root));
                }
            }
            return cases;
        }
        if (!Files.isRegularFile(path)) {
            throw new UnreadableCaseException(path + ": no such file or directory");
        }
        JsonNode root = parse(path);
        if (!root.isObject() || !root.has("op")) {
            throw new UnreadableCaseException(path + ": not a golden case (no 'op' field)");
        }
        return List.of(toCase(path, root));
    }

    private static List<Path> jsonFilesUnder(Path dir) throws UnreadableCaseException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().toLowerCase().endsWith(".json"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UnreadableCaseException(dir + ": cannot list: " + e.getMessage());
        }
    }

    private static JsonNode parse(Path file) throws UnreadableCaseException {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || root.isMissingNode()) {
                throw new UnreadableCaseException(file + ": empty file");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new UnreadableCaseException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UnreadableCaseException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static GoldenCase toCase(Path file, JsonNode root) throws UnreadableCaseException {
        try {
            return GoldenCase.fromJson(file, root);
        } catch (IllegalArgumentException e) {
            throw new UnreadableCaseException(file + ": not a golden case: " + e.getMessage());
        }
    }
}
