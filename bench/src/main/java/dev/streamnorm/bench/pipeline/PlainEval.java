package dev.streamnorm.bench.pipeline;

import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Eval mode as a plain loop: per key, frozen running stats turned once into per-channel center and
 * scale; each record is normalized at once.
 */
final class PlainEval extends PlainNorm {
    private final Map<String, double[][]> factors = new HashMap<>();
    private final double[] out;

    /**
     * @param means running mean per key
     * @param variances running variance per key
     */
    PlainEval(Map<String, double[]> means, Map<String, double[]> variances, int features) {
        for (Map.Entry<String, double[]> e : means.entrySet()) {
            double[] mean = e.getValue();
            double[] variance = variances.get(e.getKey());
            double[] scale = new double[features];
            for (int c = 0; c < features; c++) {
                scale[c] = 1.0 * inverseStd(variance[c], EPS);
            }
            factors.put(e.getKey(), new double[][] {mean.clone(), scale, new double[features]});
        }
        this.out = new double[features];
    }

    @Override
    void accept(String key, long id, double[] x, @Nullable Object tag, Emitter emitter) {
        double[][] f = factors.get(key);
        if (f == null) {
            throw new IllegalStateException("no stats for key " + key);
        }
        double[] center = f[0];
        double[] scale = f[1];
        double[] shift = f[2];
        for (int c = 0; c < out.length; c++) {
            out[c] = (x[c] - center[c]) * scale[c] + shift[c];
        }
        emitter.emit(id, tag, out);
    }
}
