package dev.streamnorm.bench.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Train mode as a plain loop: per key a buffer of {@code batchSize} records; a full batch's moments
 * are computed in two passes over it (as the operator does), it is normalized with its mean and
 * biased variance, then the running stats take the unbiased variance with PyTorch momentum. A batch
 * of one record is normalized with the running stats, which stay as they are. Partial batches are
 * flushed by {@link #finish}.
 */
final class PlainTrain extends PlainNorm {
    private final int features;
    private final int batchSize;
    private final Map<String, KeyState> states = new HashMap<>();
    // Per-channel factors of the batch being closed (shared by all keys).
    private final double[] center;
    private final double[] scale;
    private final double[] shift;

    PlainTrain(int features, int batchSize) {
        this.features = features;
        this.batchSize = batchSize;
        this.center = new double[features];
        this.scale = new double[features];
        this.shift = new double[features]; // no affine transform: bias 0
    }

    /** One key's pending batch, its moments and its running stats. */
    static final class KeyState {
        final double[][] rows;
        final long[] ids;
        final Object[] tags;
        int size;
        final double[] mean;
        final double[] m2;
        final double[] runningMean;
        final double[] runningVar;
        long batches;

        KeyState(int features, int batchSize) {
            rows = new double[batchSize][features];
            ids = new long[batchSize];
            tags = new Object[batchSize];
            mean = new double[features];
            m2 = new double[features];
            runningMean = new double[features];
            runningVar = new double[features];
            Arrays.fill(runningVar, 1.0);
        }
    }

    @Override
    void accept(String key, long id, double[] x, @Nullable Object tag, Emitter out) {
        KeyState s = states.get(key);
        if (s == null) {
            s = new KeyState(features, batchSize);
            states.put(key, s);
        }
        int n = s.size + 1;
        System.arraycopy(x, 0, s.rows[s.size], 0, features);
        s.ids[s.size] = id;
        s.tags[s.size] = tag;
        s.size = n;
        if (n == batchSize) {
            close(s, out);
        }
    }

    @Override
    void finish(Emitter out) {
        for (KeyState s : states.values()) {
            if (s.size > 0) {
                close(s, out);
            }
        }
    }

    private void close(KeyState s, Emitter out) {
        int n = s.size;
        boolean update = n >= 2;
        moments(s);
        for (int c = 0; c < features; c++) {
            if (update) {
                center[c] = s.mean[c];
                scale[c] = 1.0 * inverseStd(s.m2[c] / n, EPS);
            } else {
                center[c] = s.runningMean[c];
                scale[c] = 1.0 * inverseStd(s.runningVar[c], EPS);
            }
        }
        for (int r = 0; r < n; r++) {
            double[] row = s.rows[r];
            for (int c = 0; c < features; c++) {
                row[c] = (row[c] - center[c]) * scale[c] + shift[c];
            }
            out.emit(s.ids[r], s.tags[r], row);
            s.tags[r] = null;
        }
        if (update) {
            double take = MOMENTUM;
            double keep = 1.0 - take;
            for (int c = 0; c < features; c++) {
                s.runningMean[c] = keep * s.runningMean[c] + take * s.mean[c];
                s.runningVar[c] = keep * s.runningVar[c] + take * (s.m2[c] / (n - 1));
            }
            s.batches++;
        }
        s.size = 0;
    }

    /** The batch's mean and M2 per channel, in two passes over its rows (as the operator). */
    private void moments(KeyState s) {
        double[] mean = s.mean;
        double[] m2 = s.m2;
        Arrays.fill(mean, 0.0);
        Arrays.fill(m2, 0.0);
        for (int r = 0; r < s.size; r++) {
            double[] row = s.rows[r];
            for (int c = 0; c < features; c++) {
                mean[c] += row[c];
            }
        }
        for (int c = 0; c < features; c++) {
            mean[c] /= s.size;
        }
        for (int r = 0; r < s.size; r++) {
            double[] row = s.rows[r];
            for (int c = 0; c < features; c++) {
                double d = row[c] - mean[c];
                m2[c] += d * d;
            }
        }
    }

    /** The keys seen so far. */
    List<String> keys() {
        return new ArrayList<>(states.keySet());
    }

    /** The state of {@code key}, or null. */
    @Nullable
    KeyState state(String key) {
        return states.get(key);
    }
}
