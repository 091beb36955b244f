package dev.streamnorm.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drift records of a run (the JSON of {@code --drift}, DESIGN §8), key by key in the order they
 * were written.
 */
final class DriftHistory {
    /** One drift record of a key. */
    static final class Point {
        /** Event time (epoch ms), or null. */
        final Long ts;

        final long records;
        final String statsVersion;
        final boolean alert;
        final List<Feature> features;

        Point(Long ts, long records, String statsVersion, boolean alert, List<Feature> features) {
            this.ts = ts;
            this.records = records;
            this.statsVersion = statsVersion;
            this.alert = alert;
            this.features = features;
        }
    }

    /** One feature of a drift record; a value that was not finite is NaN. */
    static final class Feature {
        final double shift;
        final double varRatio;
        final double psi;
        final double mean;
        final double variance;
        final double servedMean;
        final double servedVariance;

        Feature(JsonNode node) {
            shift = number(node, "shift");
            varRatio = number(node, "var_ratio");
            psi = number(node, "psi");
            mean = number(node, "mean");
            variance = number(node, "var");
            servedMean = number(node, "served_mean");
            servedVariance = number(node, "served_var");
        }

        private static double number(JsonNode node, String field) {
            JsonNode value = node.get(field);
            return value == null || !value.isNumber() ? Double.NaN : value.asDouble();
        }
    }

    private final Map<String, List<Point>> byKey = new LinkedHashMap<>();

    /** Reads the records, one JSON object each. */
    static DriftHistory of(Iterable<String> lines) {
        ObjectMapper json = new ObjectMapper();
        DriftHistory history = new DriftHistory();
        int number = 0;
        for (String line : lines) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                history.add(json.readTree(line));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(
                        "line " + number + " is not JSON: " + e.getOriginalMessage());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "line " + number + " is not a drift record: " + e.getMessage());
            }
        }
        return history;
    }

    private void add(JsonNode record) {
        String key = required(record, "key").asText();
        JsonNode ts = record.get("ts");
        List<Feature> features = new ArrayList<>();
        for (JsonNode feature : required(record, "features")) {
            features.add(new Feature(feature));
        }
        if (features.isEmpty()) {
            throw new IllegalArgumentException("no features");
        }
        byKey.computeIfAbsent(key, k -> new ArrayList<>())
                .add(
                        new Point(
                                ts == null || ts.isNull() ? null : ts.asLong(),
                                required(record, "records").asLong(),
                                record.path("stats_version").asText(""),
                                required(record, "alert").asBoolean(),
                                Collections.unmodifiableList(features)));
    }

    private static JsonNode required(JsonNode record, String field) {
        JsonNode value = record.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("no \"" + field + "\" field");
        }
        return value;
    }

    /** The keys in the order of their first record. */
    List<String> keys() {
        return new ArrayList<>(byKey.keySet());
    }

    /** The records of {@code key} in order. */
    List<Point> of(String key) {
        return byKey.get(key);
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }
}
