package dev.streamnorm.bench.pipeline;

import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Online mode as a plain loop: per key and value, an exponentially weighted mean and variance
 * updated with the new record first (West / Finch), then the record standardized with them.
 */
final class PlainOnline extends PlainNorm {
    private final Map<String, double[][]> states = new HashMap<>();
    private final int features;
    private final double[] out;

    PlainOnline(int features) {
        this.features = features;
        this.out = new double[features];
    }

    @Override
    void accept(String key, long id, double[] x, @Nullable Object tag, Emitter emitter) {
        double[][] s = states.get(key);
        double[] mean;
        double[] var;
        if (s == null) {
            mean = x.clone();
            var = new double[features];
            states.put(key, new double[][] {mean, var});
        } else {
            mean = s[0];
            var = s[1];
            double alpha = MOMENTUM;
            double keep = 1.0 - alpha;
            for (int i = 0; i < features; i++) {
                double d = x[i] - mean[i];
                mean[i] += alpha * d;
                var[i] = keep * (var[i] + alpha * d * d);
            }
        }
        for (int i = 0; i < features; i++) {
            out[i] = (x[i] - mean[i]) * inverseStd(var[i], EPS);
        }
        emitter.emit(id, tag, out);
    }
}
