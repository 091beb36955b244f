package dev.streamnorm.jobs.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceRunnerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path goldenDir() {
        Path dir = Path.of(System.getProperty("streamnorm.golden.dir", "../golden"));
        assertThat(dir).as("the project's golden vectors (golden/)").isDirectory();
        return dir;
    }

    private static List<Path> caseFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".json"))
                    .filter(f -> readJson(f).has("op"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String run(List<Path> paths, ConformanceRunner.Summary[] summary)
            throws UnreadableCaseException {
        StringWriter text = new StringWriter();
        summary[0] = ConformanceRunner.run(paths, new PrintWriter(text));
        return text.toString();
    }

    @Test
    void everyGoldenCasePassesAtTheFloat64Tolerance() throws Exception {
        Path dir = goldenDir();
        int cases = caseFiles(dir).size();
        ConformanceRunner.Summary[] summary = new ConformanceRunner.Summary[1];

        String output = run(List.of(dir), summary);

        List<String> lines = Arrays.asList(output.split("\n"));
        assertThat(cases).isGreaterThanOrEqualTo(66 + 23);
        assertThat(summary[0].failed).as(output).isZero();
        assertThat(summary[0].passed).isEqualTo(cases);
        assertThat(lines).hasSize(cases + 1);
        assertThat(lines.subList(0, cases))
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .matches("PASS \\S+ max_abs_err=\\S+ max_rel_err=\\S+"));
        assertThat(lines.get(cases)).isEqualTo(cases + " passed, 0 failed");
    }

    @Test
    void theScalersCasesCoverEveryScaler() throws Exception {
        List<String> ops =
                caseFiles(goldenDir().resolve("scalers")).stream()
                        .map(f -> readJson(f).get("op").asText())
                        .distinct()
                        .collect(Collectors.toList());
        assertThat(ops)
                .containsExactly(
                        "standard_scaler", "minmax_scaler", "maxabs_scaler", "robust_scaler");
    }

    @Test
    void casesAreFoundByContentNotByName(@TempDir Path tmp) throws Exception {
        Path nested = Files.createDirectories(tmp.resolve("a/b"));
        List<Path> golden = caseFiles(goldenDir());
        Files.copy(golden.get(0), nested.resolve("whatever.JSON"));
        Files.copy(golden.get(golden.size() - 1), tmp.resolve("zz-last.json"));
        Files.writeString(tmp.resolve("listing.json"), "{\"cases\": []}");
        Files.writeString(tmp.resolve("notes.txt"), "not json at all");
        ConformanceRunner.Summary[] summary = new ConformanceRunner.Summary[1];

        String output = run(List.of(tmp), summary);

        assertThat(summary[0].passed).isEqualTo(2);
        assertThat(output).endsWith("2 passed, 0 failed\n");
    }

    @Test
    void aWrongExpectedValueFailsWithItsLocation(@TempDir Path tmp) throws Exception {
        Path source =
                caseFiles(goldenDir()).stream()
                        .filter(f -> readJson(f).get("op").asText().equals("batchnorm"))
                        .findFirst()
                        .orElseThrow();
        ObjectNode root = (ObjectNode) readJson(source);
        ArrayNode firstRecord = (ArrayNode) root.get("batches").get(0).get("output").get(0);
        double expected = firstRecord.get(0).asDouble();
        firstRecord.set(0, JSON.getNodeFactory().numberNode(expected + 1e-6));
        root.put("name", "tampered");
        Path file = tmp.resolve("tampered.json");
        JSON.writeValue(file.toFile(), root);
        ConformanceRunner.Summary[] summary = new ConformanceRunner.Summary[1];

        String output = run(List.of(file), summary);

        assertThat(summary[0].failed).isEqualTo(1);
        assertThat(output)
                .startsWith("FAIL tampered batch 0 output[0][0]: expected ")
                .endsWith("0 passed, 1 failed\n");
    }

    @Test
    void aWrongCounterFailsEvenWithinTolerance(@TempDir Path tmp) throws Exception {
        Path source =
                caseFiles(goldenDir()).stream()
                        .filter(f -> readJson(f).get("op").asText().equals("batchnorm"))
                        .filter(f -> readJson(f).get("initial_state").has("num_batches_tracked"))
                        .findFirst()
                        .orElseThrow();
        ObjectNode root = (ObjectNode) readJson(source);
        ObjectNode state = (ObjectNode) root.get("batches").get(0).get("state_after");
        state.put("num_batches_tracked", state.get("num_batches_tracked").asLong() + 1);
        Path file = tmp.resolve("counter.json");
        JSON.writeValue(file.toFile(), root);
        ConformanceRunner.Summary[] summary = new ConformanceRunner.Summary[1];

        String output = run(List.of(file), summary);

        assertThat(output).contains("state.num_batches_tracked[0]: expected exactly");
        assertThat(summary[0].failed).isEqualTo(1);
    }

    @Test
    void anUnknownOpIsAFailureNotACrash(@TempDir Path tmp) throws Exception {
        ObjectNode root = (ObjectNode) readJson(caseFiles(goldenDir()).get(0));
        root.put("op", "fancynorm");
        root.put("name", "fancy");
        Path file = tmp.resolve("fancy.json");
        JSON.writeValue(file.toFile(), root);
        ConformanceRunner.Summary[] summary = new ConformanceRunner.Summary[1];

        assertThat(run(List.of(file), summary)).startsWith("FAIL fancy unsupported op 'fancynorm'");
    }

    @Test
    void unreadableInputStopsBeforeAnyCaseRuns(@TempDir Path tmp) throws Exception {
        Files.copy(caseFiles(goldenDir()).get(0), tmp.resolve("a.json"));
        Files.writeString(tmp.resolve("b.json"), "{\"op\": \"batchnorm\", ");
        StringWriter text = new StringWriter();

        assertThatThrownBy(() -> ConformanceRunner.run(List.of(tmp), new PrintWriter(text)))
                .isInstanceOf(UnreadableCaseException.class)
                .hasMessageContaining("b.json: not valid JSON");
        assertThat(text.toString()).isEmpty();
        assertThatThrownBy(
                        () ->
                                ConformanceRunner.run(
                                        List.of(tmp.resolve("missing.json")),
                                        new PrintWriter(text)))
                .hasMessageContaining("missing.json: no such file or directory");
        Files.writeString(tmp.resolve("index.json"), "{\"cases\": []}");
        assertThatThrownBy(
                        () ->
                                ConformanceRunner.run(
                                        List.of(tmp.resolve("index.json")), new PrintWriter(text)))
                .hasMessageContaining("not a golden case (no 'op' field)");
    }
}
