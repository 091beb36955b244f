package dev.streamnorm.bench.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The records of the pipeline benchmarks, a pure function of the record index: every run, every
 * parallel subtask and the plain loops see the same keys and values.
 *
 * <p>Record {@code i} belongs to key {@code i mod keys} (round robin, so after {@code keys × 32 ×
 * k} records every key has closed exactly {@code k} batches of 32) and carries the values of entry
 * {@code i mod 4093} of a pool of vectors drawn once from a fixed seed (each feature around its own
 * mean with its own spread). Values are shared between records: callers must not modify them.
 */
final class PipelineData {
    /** The seed of the value pool. */
    static final long SEED = 20_240_531L;

    /** Distinct value vectors; prime, so that key and vector combinations repeat rarely. */
    static final int POOL = 4093;

    final int keys;
    final int features;
    private final String[] keyNames;
    private final double[][] pool;
    // The JSON text of each pool vector, "[v0,v1,...]" with round-trip precision.
    private final byte[][] poolJson;

    PipelineData(int keys, int features) {
        this.keys = keys;
        this.features = features;
        this.keyNames = new String[keys];
        for (int k = 0; k < keys; k++) {
            keyNames[k] = "sensor-" + k;
        }
        SplittableRandom random = new SplittableRandom(SEED);
        double[] center = new double[features];
        double[] spread = new double[features];
        for (int f = 0; f < features; f++) {
            center[f] = random.nextDouble(-50.0, 50.0);
            spread[f] = random.nextDouble(0.5, 10.0);
        }
        this.pool = new double[POOL][features];
        this.poolJson = new byte[POOL][];
        for (int p = 0; p < POOL; p++) {
            StringBuilder json = new StringBuilder(24 * features).append('[');
            for (int f = 0; f < features; f++) {
                pool[p][f] = center[f] + spread[f] * gaussian(random);
                json.append(f == 0 ? "" : ",").append(pool[p][f]);
            }
            poolJson[p] = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The key index of record {@code i}. */
    int keyIndex(long i) {
        return (int) (i % keys);
    }

    /** The key of record {@code i}. */
    String key(long i) {
        return keyNames[keyIndex(i)];
    }

    /** The key names, by key index. */
    String keyName(int k) {
        return keyNames[k];
    }

    /** The values of record {@code i} (shared: do not modify). */
    double[] values(long i) {
        return pool[(int) (i % POOL)];
    }

    /**
     * Record {@code i} as a JSON message (DESIGN §3): {@code {"id":i,"key":"sensor-k","ts":ts,
     * "values":[...]}}.
     */
    byte[] json(long i, long timestamp) {
        byte[] head =
                ("{\"id\":"
                                + i
                                + ",\"key\":\""
                                + key(i)
                                + "\",\"ts\":"
                                + timestamp
                                + ",\"values\":")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] values = poolJson[(int) (i % POOL)];
        byte[] json = new byte[head.length + values.length + 1];
        System.arraycopy(head, 0, json, 0, head.length);
        System.arraycopy(values, 0, json, head.length, values.length);
        json[json.length - 1] = '}';
        return json;
    }

    /** The id of a message written by {@link #json} (and of its output), or -1. */
    static long idOf(byte[] json) {
        // Every output keeps the input's field order, so the id is the first field.
        int prefix = 6; // {"id":
        if (json.length <= prefix || json[1] != '"' || json[2] != 'i' || json[3] != 'd') {
            return -1;
        }
        long id = 0;
        for (int i = prefix; i < json.length; i++) {
            byte b = json[i];
            if (b < '0' || b > '9') {
                return i == prefix ? -1 : id;
            }
            id = id * 10 + (b - '0');
        }
        return -1;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }
}
