package dev.streamnorm.jobs;

import dev.streamnorm.operators.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Deterministic input for the integration tests: JSON feature records (DESIGN §3) for a number of
 * keys, with every {@code poisonEvery}-th record replaced by a bad message of one of the kinds the
 * decoder and the operators reject. Clean records carry an {@code id}, a nested {@code meta} object
 * after {@code values} (pass-through fields) and a {@code ts}.
 */
final class FeatureData {
    /**
     * The epoch millis of record 0; record i has {@code ts = BASE_TS + i}. Recent on purpose: the
     * job writes a record's {@code ts} as the Kafka timestamp of its output, and the broker deletes
     * records older than its retention (7 days by default) at its next retention check, which would
     * silently drop old-stamped output in the middle of a test.
     */
    static final long BASE_TS = System.currentTimeMillis() / 1000 * 1000;

    /** One message as it is produced: Kafka key, payload (null: a tombstone) and expectations. */
    static final class Input {
        final long id;
        final String key;
        @Nullable final byte[] payload;
        @Nullable final ErrorCode error;
        final String kind;
        final double[] values;

        Input(
                long id,
                String key,
                @Nullable byte[] payload,
                @Nullable ErrorCode error,
                String kind,
                double[] values) {
            this.id = id;
            this.key = key;
            this.payload = payload;
            this.error = error;
            this.kind = kind;
            this.values = values;
        }

        boolean clean() {
            return error == null;
        }

        /** The payload as text; a tombstone reads as the empty string. */
        String text() {
            return payload == null ? "" : new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "#" + id + " (" + key + ", " + kind + ")";
        }
    }

    /** A bad message and the dead-letter code it must get. */
    private interface Poison {
        @Nullable
        String payload(long id, String key, double[] values);
    }

    private static final class Kind {
        final String name;
        final ErrorCode error;
        final Poison poison;

        Kind(String name, ErrorCode error, Poison poison) {
            this.name = name;
            this.error = error;
            this.poison = poison;
        }
    }

    private static final List<Kind> KINDS =
            List.of(
                    new Kind(
                            "truncated",
                            ErrorCode.MALFORMED_JSON,
                            (id, key, v) -> head(id, key) + "\"values\":[" + join(v)),
                    new Kind("not-json", ErrorCode.MALFORMED_JSON, (id, key, v) -> "id " + id),
                    new Kind(
                            "array",
                            ErrorCode.MALFORMED_JSON,
                            (id, key, v) -> "[" + id + "," + join(v) + "]"),
                    new Kind(
                            "trailing",
                            ErrorCode.MALFORMED_JSON,
                            (id, key, v) -> clean(id, key, v) + " {}"),
                    new Kind(
                            "duplicate-field",
                            ErrorCode.MALFORMED_JSON,
                            (id, key, v) ->
                                    head(id, key)
                                            + "\"values\":["
                                            + join(v)
                                            + "],\"id\":"
                                            + id
                                            + "}"),
                    new Kind(
                            "malformed-and-nan",
                            ErrorCode.MALFORMED_JSON,
                            (id, key, v) -> head(id, key) + "\"values\":[NaN,\"x\"}"),
                    new Kind(
                            "no-values",
                            ErrorCode.MISSING_VALUES,
                            (id, key, v) -> head(id, key) + "\"ts\":" + (BASE_TS + id) + "}"),
                    new Kind(
                            "misspelled-values",
                            ErrorCode.MISSING_VALUES,
                            (id, key, v) -> head(id, key) + "\"value\":[" + join(v) + "]}"),
                    new Kind(
                            "no-values-bad-key",
                            ErrorCode.MISSING_VALUES,
                            (id, key, v) -> "{\"id\":" + id + ",\"key\":42}"),
                    new Kind(
                            "string-value",
                            ErrorCode.NOT_A_NUMBER,
                            (id, key, v) -> record(id, key, "\"1.5\"," + join(v, 1))),
                    new Kind(
                            "null-value",
                            ErrorCode.NOT_A_NUMBER,
                            (id, key, v) -> record(id, key, join(v, 1) + ",null")),
                    new Kind(
                            "nested-value",
                            ErrorCode.NOT_A_NUMBER,
                            (id, key, v) -> record(id, key, "[" + join(v) + "]")),
                    new Kind(
                            "values-string",
                            ErrorCode.NOT_A_NUMBER,
                            (id, key, v) ->
                                    head(id, key) + "\"values\":\"" + join(v) + "\",\"ts\":1}"),
                    new Kind(
                            "nan-and-string",
                            ErrorCode.NOT_A_NUMBER,
                            (id, key, v) -> record(id, key, "NaN,true," + join(v, 2))),
                    new Kind(
                            "nan",
                            ErrorCode.NON_FINITE,
                            (id, key, v) -> record(id, key, join(v, 1) + ",NaN")),
                    new Kind(
                            "infinity",
                            ErrorCode.NON_FINITE,
                            (id, key, v) -> record(id, key, "-Infinity," + join(v, 1))),
                    new Kind(
                            "overflow",
                            ErrorCode.NON_FINITE,
                            (id, key, v) -> record(id, key, "1e400," + join(v, 1))),
                    new Kind(
                            "infinity-short",
                            ErrorCode.NON_FINITE,
                            (id, key, v) -> record(id, key, "Infinity," + join(v, 3))),
                    new Kind(
                            "short",
                            ErrorCode.WRONG_LENGTH,
                            (id, key, v) -> record(id, key, join(v, 1))),
                    new Kind(
                            "long",
                            ErrorCode.WRONG_LENGTH,
                            (id, key, v) -> record(id, key, join(v) + ",0.5")),
                    new Kind("empty", ErrorCode.WRONG_LENGTH, (id, key, v) -> record(id, key, "")),
                    new Kind(
                            "numeric-key",
                            ErrorCode.BAD_FIELD,
                            (id, key, v) ->
                                    "{\"id\":" + id + ",\"key\":7,\"values\":[" + join(v) + "]}"),
                    new Kind(
                            "text-ts",
                            ErrorCode.BAD_FIELD,
                            (id, key, v) ->
                                    head(id, key)
                                            + "\"values\":["
                                            + join(v)
                                            + "],\"ts\":\"yesterday\"}"),
                    new Kind(
                            "fractional-ts",
                            ErrorCode.BAD_FIELD,
                            (id, key, v) ->
                                    head(id, key) + "\"values\":[" + join(v) + "],\"ts\":1.5}"));

    /** A Kafka tombstone: no payload at all. */
    private static final Kind TOMBSTONE =
            new Kind("tombstone", ErrorCode.MALFORMED_JSON, (id, key, v) -> null);

    private FeatureData() {}

    /**
     * {@code count} records over {@code keys} keys (chosen at random, so every key ends with a
     * partial batch), {@code channels} values each; every {@code poisonEvery}-th record is bad,
     * cycling through the kinds. With {@code kafkaOnly}, messages that only Kafka can carry are
     * added: tombstones among the poison, and clean records without a {@code key} field (every
     * 250th), whose key is then the Kafka record key.
     */
    static List<Input> generate(
            int count, int keys, int channels, int poisonEvery, boolean kafkaOnly, long seed) {
        Random random = new Random(seed);
        List<Kind> kinds = new ArrayList<>(KINDS);
        if (kafkaOnly) {
            kinds.add(TOMBSTONE);
        }
        List<Input> inputs = new ArrayList<>(count);
        int poisoned = 0;
        for (int i = 0; i < count; i++) {
            int k = random.nextInt(keys);
            String key = keyName(k);
            double[] values = new double[channels];
            for (int c = 0; c < channels; c++) {
                double center = (k - keys / 2.0) * 3.0 + c * 100.0 + (c == 0 ? 1e6 : 0.0);
                double scale = 0.5 + (k * 7 + c) % 5;
                values[c] = center + scale * random.nextGaussian();
            }
            if (poisonEvery > 0 && i % poisonEvery == poisonEvery / 2) {
                Kind kind = kinds.get(poisoned++ % kinds.size());
                String text = kind.poison.payload(i, key, values);
                byte[] payload = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
                inputs.add(new Input(i, key, payload, kind.error, kind.name, values));
            } else if (kafkaOnly && i % 250 == 125) {
                String text = clean(i, key, values).replace("\"key\":\"" + key + "\",", "");
                byte[] payload = text.getBytes(StandardCharsets.UTF_8);
                inputs.add(new Input(i, key, payload, null, "clean-keyless", values));
            } else {
                byte[] payload = clean(i, key, values).getBytes(StandardCharsets.UTF_8);
                inputs.add(new Input(i, key, payload, null, "clean", values));
            }
        }
        return inputs;
    }

    /**
     * {@code inputs} without the clean records of each key past its last full batch of {@code
     * batchSize}, so that every batch closes on its count alone (no timeout, no end of input).
     */
    static List<Input> fullBatchesOnly(List<Input> inputs, int batchSize) {
        Map<String, Integer> clean = new HashMap<>();
        for (Input input : inputs) {
            if (input.clean()) {
                clean.merge(input.key, 1, Integer::sum);
            }
        }
        Map<String, Integer> kept = new HashMap<>();
        List<Input> result = new ArrayList<>(inputs.size());
        for (Input input : inputs) {
            if (!input.clean()) {
                result.add(input);
            } else if (kept.merge(input.key, 1, Integer::sum)
                    <= clean.get(input.key) / batchSize * batchSize) {
                result.add(input);
            }
        }
        return result;
    }

    /** The number of bad messages among {@code inputs}. */
    static int poisonCount(List<Input> inputs) {
        int count = 0;
        for (Input input : inputs) {
            if (!input.clean()) {
                count++;
            }
        }
        return count;
    }

    /** The codes that {@code inputs} expect, for checking coverage. */
    static Set<ErrorCode> codes(List<Input> inputs) {
        Set<ErrorCode> codes = EnumSet.noneOf(ErrorCode.class);
        for (Input input : inputs) {
            if (input.error != null) {
                codes.add(input.error);
            }
        }
        return codes;
    }

    static String keyName(int k) {
        return String.format(Locale.ROOT, "sensor-%02d", k);
    }

    private static String head(long id, String key) {
        return "{\"id\":" + id + ",\"key\":\"" + key + "\",";
    }

    private static String record(long id, String key, String values) {
        return head(id, key) + "\"values\":[" + values + "],\"ts\":" + (BASE_TS + id) + "}";
    }

    /** A clean record: values in the middle, pass-through fields around them. */
    static String clean(long id, String key, double[] values) {
        return head(id, key)
                + "\"values\":["
                + join(values)
                + "],\"ts\":"
                + (BASE_TS + id)
                + ",\"meta\":{\"site\":\"s"
                + (id % 7)
                + "\",\"tags\":[\"a\",null,"
                + (id % 3)
                + "],\"ok\":true}}";
    }

    private static String join(double[] values) {
        return join(values, 0);
    }

    /** The values without the last {@code drop} ones, comma-separated. */
    private static String join(double[] values, int drop) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.length - drop; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(values[i]);
        }
        return text.toString();
    }
}
