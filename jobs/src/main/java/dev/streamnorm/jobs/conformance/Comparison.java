package dev.streamnorm.jobs.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Compares computed numbers with a case's expected ones under its tolerance, remembering the
 * largest errors and the first mismatch.
 *
 * <p>Rule of the golden format: {@code |got − expected| <= abs + rel · |expected|} for real values;
 * integers (counters) must match exactly; an expected {@code null} (an undefined value such as the
 * unbiased variance of one value) must be computed as {@code NaN}.
 */
final class Comparison {
    private final GoldenCase.Tolerance tolerance;
    private double maxAbsError;
    private double maxRelError;
    @Nullable private String firstMismatch;

    Comparison(GoldenCase.Tolerance tolerance) {
        this.tolerance = tolerance;
    }

    /** Compares a list or nested list of expected numbers with {@code got}, row-major. */
    void values(String where, JsonNode expected, double[] got) {
        List<JsonNode> leaves = new ArrayList<>();
        collectLeaves(expected, leaves);
        if (leaves.size() != got.length) {
            mismatch(where + ": expected " + leaves.size() + " values, got " + got.length);
            return;
        }
        for (int i = 0; i < got.length; i++) {
            value(where + "[" + i + "]", leaves.get(i), got[i]);
        }
    }

    /** Compares every expected state entry with the computed one of the same name. */
    void state(String where, JsonNode expected, Map<String, double[]> got) {
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            double[] actual = got.get(entry.getKey());
            if (actual == null) {
                mismatch(where + ": state entry '" + entry.getKey() + "' is not computed");
            } else {
                values(where + "." + entry.getKey(), entry.getValue(), actual);
            }
        }
    }

    private void value(String where, JsonNode expected, double got) {
        if (expected.isNull()) {
            if (!Double.isNaN(got)) {
                mismatch(where + ": expected undefined (null), got " + got);
            }
        } else if (expected.isIntegralNumber()) {
            if (got != expected.doubleValue()) {
                mismatch(where + ": expected exactly " + expected.asLong() + ", got " + got);
            }
        } else if (!expected.isNumber()) {
            mismatch(where + ": expected value is not a number: " + expected);
        } else {
            real(where, expected.doubleValue(), got);
        }
    }

    private void real(String where, double expected, double got) {
        double error = Math.abs(got - expected);
        if (!(error <= tolerance.abs + tolerance.rel * Math.abs(expected))) {
            mismatch(
                    String.format(
                            Locale.ROOT,
                            "%s: expected %s, got %s (abs err %.3e > %.1e + %.1e·|expected|)",
                            where,
                            expected,
                            got,
                            error,
                            tolerance.abs,
                            tolerance.rel));
        }
        if (error > maxAbsError || Double.isNaN(error)) {
            maxAbsError = error;
        }
        if (expected != 0 && error / Math.abs(expected) > maxRelError) {
            maxRelError = error / Math.abs(expected);
        }
    }

    private static void collectLeaves(JsonNode node, List<JsonNode> leaves) {
        if (node.isArray()) {
            for (JsonNode child : node) {
                collectLeaves(child, leaves);
            }
        } else {
            leaves.add(node);
        }
    }

    /** Records a failure that is not a numeric comparison (such as an unsupported op). */
    void mismatch(String message) {
        if (firstMismatch == null) {
            firstMismatch = message;
        }
    }

    boolean passed() {
        return firstMismatch == null;
    }

    /** {@code max_abs_err=… max_rel_err=…}. */
    String errors() {
        return String.format(
                Locale.ROOT, "max_abs_err=%.3e max_rel_err=%.3e", maxAbsError, maxRelError);
    }

    @Nullable
    String firstMismatch() {
        return firstMismatch;
    }
}
