package dev.streamnorm.jobs.demo;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Synthetic feature vectors for the demo: several keys with very different means and scales per
 * feature, a slow drift, and a few bad records of every kind. Deterministic for a seed.
 */
final class DemoData {
    /** One in this many records is bad. */
    static final int BAD_EVERY = 250;

    private static final String[] BAD_KINDS = {
        "malformed", "missing", "not-a-number", "non-finite", "wrong-length"
    };

    final int keys;
    final int features;
    private final double[][] mean;
    private final double[][] scale;
    private final double[][] drift;
    private final SplittableRandom random;

    DemoData(int keys, int features, long seed) {
        this.keys = keys;
        this.features = features;
        this.random = new SplittableRandom(seed);
        this.mean = new double[keys][features];
        this.scale = new double[keys][features];
        this.drift = new double[keys][features];
        for (int k = 0; k < keys; k++) {
            double magnitude = Math.pow(10, k % 5 - 1);
            for (int f = 0; f < features; f++) {
                mean[k][f] = (random.nextDouble() * 2 - 1) * 100 * magnitude;
                scale[k][f] = (0.5 + random.nextDouble() * 5) * magnitude;
                drift[k][f] = (random.nextDouble() - 0.5) * scale[k][f] * 1e-4;
            }
        }
    }

    static String keyName(int key) {
        return "sensor-" + key;
    }

    /** The key of record {@code i}. */
    int keyOf(long i) {
        return (int) (i % keys);
    }

    /** Whether record {@code i} is deliberately bad. */
    static boolean isBad(long i) {
        return i % BAD_EVERY == BAD_EVERY - 1;
    }

    /** The values of good record {@code i}. */
    double[] values(long i) {
        int k = keyOf(i);
        double[] values = new double[features];
        long step = i / keys;
        for (int f = 0; f < features; f++) {
            values[f] = mean[k][f] + drift[k][f] * step + scale[k][f] * random.nextGaussian();
        }
        return values;
    }

    /** Moves feature {@code feature} of {@code values} of key {@code key} by {@code sigmas}. */
    void shift(double[] values, int key, int feature, double sigmas) {
        values[feature] += sigmas * scale[key][feature];
    }

    /** Record {@code i} as JSON; good records carry the given values. */
    String json(long i, long timestamp, double[] values) {
        return isBad(i) ? badJson(i, keyName(keyOf(i)), timestamp) : goodJson(i, timestamp, values);
    }

    /** Record {@code i} as a good record with the given values, even where it would be bad. */
    String goodJson(long i, long timestamp, double[] values) {
        String key = keyName(keyOf(i));
        StringBuilder text =
                new StringBuilder(32 + 24 * values.length)
                        .append("{\"id\":")
                        .append(i)
                        .append(",\"key\":\"")
                        .append(key)
                        .append("\",\"ts\":")
                        .append(timestamp)
                        .append(",\"values\":[");
        for (int f = 0; f < values.length; f++) {
            text.append(f == 0 ? "" : ",").append(values[f]);
        }
        return text.append("]}").toString();
    }

    private String badJson(long i, String key, long timestamp) {
        String kind = BAD_KINDS[(int) ((i / BAD_EVERY) % BAD_KINDS.length)];
        String prefix =
                String.format(
                        Locale.ROOT, "{\"id\":%d,\"key\":\"%s\",\"ts\":%d", i, key, timestamp);
        switch (kind) {
            case "malformed":
                return prefix + ",\"values\":[1.0,2.0";
            case "missing":
                return prefix + "}";
            case "not-a-number":
                return prefix + ",\"values\":[1.0,\"two\"]}";
            case "non-finite":
                return prefix + ",\"values\":[NaN,1.0]}";
            default:
                // One value too many, whatever the number of features.
                StringBuilder values = new StringBuilder(prefix).append(",\"values\":[0.0");
                for (int f = 0; f < features; f++) {
                    values.append(",1.0");
                }
                return values.append("]}").toString();
        }
    }
}
