package dev.streamnorm.jobs.conformance;

import dev.streamnorm.state.ExponentialMoments;
import java.util.Map;

/** Golden op {@code ema_standardizer}: online mode, one record at a time. */
final class EmaStandardizerReplay implements Replay {
    private final ExponentialMoments moments;
    private final double alpha;
    private final double eps;
    private final boolean updateFirst;

    EmaStandardizerReplay(GoldenCase golden) {
        this.alpha = golden.param("alpha");
        this.eps = golden.param("eps");
        String order = GoldenCase.requiredText(golden.params, "order");
        if (!order.equals("update_then_transform") && !order.equals("transform_then_update")) {
            throw new IllegalArgumentException("unknown order '" + order + "'");
        }
        this.updateFirst = order.equals("update_then_transform");
        int size = golden.shape.size();
        if (golden.initialState.path("count").asLong(0) == 0) {
            this.moments = new ExponentialMoments(size);
        } else {
            this.moments =
                    ExponentialMoments.of(
                            golden.initialState.get("count").asLong(),
                            GoldenCase.flatten(
                                    GoldenCase.required(golden.initialState, "ew_mean"),
                                    size,
                                    "ew_mean"),
                            GoldenCase.flatten(
                                    GoldenCase.required(golden.initialState, "ew_var"),
                                    size,
                                    "ew_var"));
        }
    }

    @Override
    public Map<String, double[]> run(GoldenCase.Batch batch, double[][] out) {
        for (int r = 0; r < out.length; r++) {
            if (updateFirst) {
                moments.update(batch.input[r], alpha);
                moments.standardize(batch.input[r], out[r], eps);
            } else {
                moments.standardize(batch.input[r], out[r], eps);
                moments.update(batch.input[r], alpha);
            }
        }
        int size = moments.size();
        double[] mean = new double[size];
        double[] variance = new double[size];
        double[] squareMean = new double[size];
        for (int i = 0; i < size; i++) {
            mean[i] = moments.mean(i);
            variance[i] = moments.variance(i);
            squareMean[i] = variance[i] + mean[i] * mean[i];
        }
        return Map.of(
                "count", new double[] {moments.count()},
                "ew_mean", mean,
                "ew_var", variance,
                "ew_sq_mean", squareMean);
    }
}
