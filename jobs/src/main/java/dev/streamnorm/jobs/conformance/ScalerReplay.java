package dev.streamnorm.jobs.conformance;

import dev.streamnorm.operators.ScalerStatsFile;
import dev.streamnorm.state.scaler.RobustScalerStats;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Golden ops {@code standard_scaler}, {@code minmax_scaler}, {@code maxabs_scaler}, {@code
 * robust_scaler} (golden/scalers/README.md): a training batch takes its records one at a time,
 * {@code partial_fit} then {@code transform} (train mode); other batches transform with the frozen
 * statistics (eval mode).
 */
final class ScalerReplay implements Replay {
    private final ScalerParams params;
    private final ScalerStats stats;

    ScalerReplay(GoldenCase golden) {
        this.params = ScalerStatsFile.params(golden.params);
        String op = golden.op;
        ScalerKind kind = ScalerKind.of(op.substring(0, op.length() - "_scaler".length()));
        this.stats =
                ScalerStats.empty(kind, golden.shape.size(), RobustScalerStats.DEFAULT_SKETCH_SIZE);
    }

    @Override
    public Map<String, double[]> run(GoldenCase.Batch batch, double[][] out) {
        for (int r = 0; r < out.length; r++) {
            if (batch.training) {
                stats.accept(batch.input[r]);
            }
            stats.fit(params).transform(batch.input[r], out[r]);
        }
        Map<String, double[]> state = new LinkedHashMap<>();
        state.put(ScalerStats.N_SAMPLES_SEEN, new double[] {stats.count()});
        state.putAll(stats.attributes(params));
        return state;
    }
}
