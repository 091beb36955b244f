package dev.streamnorm.jobs.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * One golden-vector case: an op with its parameters, an initial state and batches of inputs with
 * their expected outputs and states (format of {@code golden/README.md}).
 */
final class GoldenCase {
    final Path file;
    final String name;
    final String op;
    final JsonNode params;
    final RecordShape shape;
    final JsonNode initialState;
    final List<Batch> batches;
    final Tolerance tolerance;

    private GoldenCase(
            Path file,
            String name,
            String op,
            JsonNode params,
            RecordShape shape,
            JsonNode initialState,
            List<Batch> batches,
            Tolerance tolerance) {
        this.file = file;
        this.name = name;
        this.op = op;
        this.params = params;
        this.shape = shape;
        this.initialState = initialState;
        this.batches = batches;
        this.tolerance = tolerance;
    }

    /** One batch: mode, input records, expected output records and expected state after it. */
    static final class Batch {
        final boolean training;
        final double[][] input;
        final JsonNode output;
        final JsonNode stateAfter;

        Batch(boolean training, double[][] input, JsonNode output, JsonNode stateAfter) {
            this.training = training;
            this.input = input;
            this.output = output;
            this.stateAfter = stateAfter;
        }
    }

    /** {@code |got − expected| <= abs + rel · |expected|}. */
    static final class Tolerance {
        final double abs;
        final double rel;

        Tolerance(double abs, double rel) {
            this.abs = abs;
            this.rel = rel;
        }
    }

    /**
     * Reads a case from its JSON tree.
     *
     * @throws IllegalArgumentException naming the first missing or malformed field
     */
    static GoldenCase fromJson(Path file, JsonNode root) {
        String op = requiredText(root, "op");
        String name = root.hasNonNull("name") ? root.get("name").asText() : file.toString();
        RecordShape shape = shapeOf(required(root, "shape"));
        JsonNode tolerance = required(root, "tolerance");
        List<Batch> batches = new ArrayList<>();
        for (JsonNode batch : required(root, "batches")) {
            JsonNode input = required(batch, "input");
            double[][] records = new double[input.size()][];
            for (int r = 0; r < records.length; r++) {
                records[r] = flatten(input.get(r), shape.size(), "input record " + r);
            }
            batches.add(
                    new Batch(
                            batch.path("training").asBoolean(true),
                            records,
                            required(batch, "output"),
                            batch.path("state_after")));
        }
        return new GoldenCase(
                file,
                name,
                op,
                root.path("params"),
                shape,
                root.path("initial_state"),
                batches,
                new Tolerance(requiredNumber(tolerance, "abs"), requiredNumber(tolerance, "rel")));
    }

    private static RecordShape shapeOf(JsonNode shape) {
        if (!shape.isArray() || shape.size() < 1 || shape.size() > 2) {
            throw new IllegalArgumentException("'shape' must be [C] or [C, L], got " + shape);
        }
        return RecordShape.of(shape.get(0).asInt(), shape.size() == 2 ? shape.get(1).asInt() : 1);
    }

    static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    static String requiredText(JsonNode node, String field) {
        return required(node, field).asText();
    }

    static double requiredNumber(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be a number");
        }
        return value.doubleValue();
    }

    /** Flattens a number, a list or a nested list row-major into {@code double[]}. */
    static double[] flatten(JsonNode node, int expectedSize, String what) {
        List<Double> values = new ArrayList<>();
        collect(node, values, what);
        if (expectedSize >= 0 && values.size() != expectedSize) {
            throw new IllegalArgumentException(
                    what + " has " + values.size() + " values, expected " + expectedSize);
        }
        double[] result = new double[values.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = values.get(i);
        }
        return result;
    }

    private static void collect(JsonNode node, List<Double> values, String what) {
        if (node.isArray()) {
            for (JsonNode child : node) {
                collect(child, values, what);
            }
        } else if (node.isNumber()) {
            values.add(node.doubleValue());
        } else {
            throw new IllegalArgumentException(what + " holds a non-number: " + node);
        }
    }

    /** The op's optional affine parameters {@code weight} and {@code bias} (null = absent). */
    Affine affine() {
        return Affine.of(optionalValues("weight"), optionalValues("bias"));
    }

    @Nullable
    private double[] optionalValues(String field) {
        JsonNode node = params.get(field);
        return node == null || node.isNull() ? null : flatten(node, -1, "params." + field);
    }

    /** A required numeric parameter. */
    double param(String field) {
        return requiredNumber(params, "params." + field, field);
    }

    private static double requiredNumber(JsonNode params, String label, String field) {
        JsonNode value = params.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("missing numeric parameter '" + label + "'");
        }
        return value.doubleValue();
    }
}
