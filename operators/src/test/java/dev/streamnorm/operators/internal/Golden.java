package dev.streamnorm.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * One golden case of the project's {@code golden/} folder (see its README): parameters, initial
 * state and batches of records with the expected outputs and states, plus the comparison rule
 * {@code |got − expected| <= abs + rel·|expected|}.
 */
final class Golden {
    private static final ObjectMapper JSON = new ObjectMapper();

    final String file;
    final String op;
    final JsonNode params;
    final int[] shape;
    final JsonNode initialState;
    final List<Batch> batches;
    final double abs;
    final double rel;

    private Golden(String file, JsonNode root) {
        this.file = file;
        this.op = root.get("op").asText();
        this.params = root.get("params");
        JsonNode shapeNode = root.get("shape");
        this.shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asInt();
        }
        this.initialState = root.get("initial_state");
        this.batches = new ArrayList<>();
        for (JsonNode batch : root.get("batches")) {
            batches.add(new Batch(batch));
        }
        this.abs = root.get("tolerance").get("abs").asDouble();
        this.rel = root.get("tolerance").get("rel").asDouble();
    }

    /** One batch: inputs and expected outputs as flat row-major records, and the state after. */
    static final class Batch {
        final boolean training;
        final List<double[]> input;
        final List<double[]> output;
        final JsonNode stateAfter;

        Batch(JsonNode node) {
            this.training = node.get("training").asBoolean();
            this.input = records(node.get("input"));
            this.output = records(node.get("output"));
            this.stateAfter = node.get("state_after");
        }
    }

    /** The directory of the golden files (system property {@code streamnorm.golden.dir}). */
    static Path dir() {
        Path dir = Path.of(System.getProperty("streamnorm.golden.dir", "../golden"));
        assertThat(dir).as("the project's golden vectors (golden/)").isDirectory();
        return dir;
    }

    /** Every case of {@code op} that {@code filter} accepts, in file order. */
    static List<Golden> cases(String op, Predicate<Golden> filter) {
        List<Golden> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir())) {
            for (Path path : files.sorted().toList()) {
                String name = path.getFileName().toString();
                if (!name.matches("\\d\\d_.*\\.json")) {
                    continue;
                }
                Golden golden = new Golden(name, JSON.readTree(path.toFile()));
                if (golden.op.equals(op) && filter.test(golden)) {
                    cases.add(golden);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(cases).as("golden cases of op %s", op).isNotEmpty();
        return cases;
    }

    @Override
    public String toString() {
        return file;
    }

    int channels() {
        return shape[0];
    }

    int positions() {
        return shape.length == 2 ? shape[1] : 1;
    }

    boolean is3d() {
        return shape.length == 2;
    }

    RecordShape recordShape() {
        return RecordShape.of(channels(), positions());
    }

    double eps() {
        return params.get("eps").asDouble();
    }

    /** Weight and bias of the params; absent or null parts are absent. */
    Affine affine() {
        return Affine.of(flatOrNull(params.get("weight")), flatOrNull(params.get("bias")));
    }

    /** The running stats of a batch-norm state node ({@code num_batches_tracked} 0 if absent). */
    static RunningStats runningStats(JsonNode state) {
        JsonNode batches = state.get("num_batches_tracked");
        return RunningStats.of(
                flat(state.get("running_mean")),
                flat(state.get("running_var")),
                batches == null ? 0 : batches.asLong());
    }

    /** Whether a batch-norm state is PyTorch's initial one: mean 0, variance 1, no batch. */
    static boolean isDefaultState(JsonNode state) {
        RunningStats stats = runningStats(state);
        return stats.equals(RunningStats.initial(stats.channels()));
    }

    /** Asserts {@code |got − expected| <= abs + rel·|expected|} element by element. */
    void assertClose(double[] got, double[] expected, String what) {
        assertThat(got).as("%s: %s length", file, what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            double bound = abs + rel * Math.abs(expected[i]);
            assertThat(Math.abs(got[i] - expected[i]))
                    .as(
                            "%s: %s[%s] got %s, expected %s (bound %s)",
                            file, what, i, got[i], expected[i], bound)
                    .isLessThanOrEqualTo(bound);
        }
    }

    /** Flattens a number, a list or a nested list into row-major doubles. */
    static double[] flat(JsonNode node) {
        List<Double> values = new ArrayList<>();
        flatten(node, values);
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    @Nullable
    private static double[] flatOrNull(@Nullable JsonNode node) {
        return node == null || node.isNull() ? null : flat(node);
    }

    private static void flatten(JsonNode node, List<Double> into) {
        if (node.isArray()) {
            for (JsonNode child : node) {
                flatten(child, into);
            }
        } else {
            into.add(node.asDouble());
        }
    }

    private static List<double[]> records(JsonNode list) {
        List<double[]> records = new ArrayList<>();
        for (JsonNode record : list) {
            records.add(flat(record));
        }
        return records;
    }
}
