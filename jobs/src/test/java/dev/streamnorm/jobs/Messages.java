package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reading the JSON the job writes, and reporting many problems in one readable failure. */
final class Messages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHOWN = 20;

    private Messages() {}

    static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }

    static JsonNode parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Nullable
    static String text(@Nullable byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** The {@code values} array of a record. */
    static double[] values(JsonNode record) {
        JsonNode array = record.get("values");
        if (array == null || !array.isArray()) {
            fail("no values array in " + record);
        }
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            if (!array.get(i).isNumber()) {
                fail("values[" + i + "] is not a number in " + record);
            }
            values[i] = array.get(i).doubleValue();
        }
        return values;
    }

    /** The top-level field names of an object, in order. */
    static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    /** Whether {@code actual} equals {@code expected} to 1e-12, relative (absolute below 1). */
    static boolean close(double actual, double expected) {
        return Math.abs(actual - expected) <= 1e-12 * Math.max(1.0, Math.abs(expected));
    }

    /** Fails listing how many problems there are and the first ones. */
    static void assertNoProblems(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(
                    what
                            + ": "
                            + problems.size()
                            + " problems, the first "
                            + Math.min(SHOWN, problems.size())
                            + ":\n  "
                            + String.join(
                                    "\n  ", problems.subList(0, Math.min(SHOWN, problems.size()))));
        }
    }

    /**
     * The output records grouped by Kafka key, in the order they were read; the Kafka key must be
     * the record's {@code key} field when it has one.
     */
    static Map<String, List<JsonNode>> byKafkaKey(List<ConsumerRecord<byte[], byte[]>> outputs) {
        Map<String, List<JsonNode>> byKey = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : outputs) {
            JsonNode json = parse(record.value());
            String key = text(record.key());
            if (json.has("key")) {
                assertThat(key).as("Kafka key of %s", json).isEqualTo(json.get("key").asText());
            }
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(json);
        }
        return byKey;
    }
}
