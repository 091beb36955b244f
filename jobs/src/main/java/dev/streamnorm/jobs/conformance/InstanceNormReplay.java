package dev.streamnorm.jobs.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.state.InstanceNormRunningStats;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.SegmentNorm;
import java.util.Map;

/** Golden op {@code instancenorm}, with or without running statistics. */
final class InstanceNormReplay implements Replay {
    private final SegmentNorm perRecord;
    private final InstanceNormRunningStats tracked;
    private final RunningStats stats;

    InstanceNormReplay(GoldenCase golden) {
        double eps = golden.param("eps");
        this.perRecord = SegmentNorm.instance(golden.shape, eps, golden.affine());
        if (golden.params.path("track_running_stats").asBoolean(false)) {
            JsonNode momentum = golden.params.get("momentum");
            this.tracked =
                    new InstanceNormRunningStats(
                            golden.shape,
                            eps,
                            golden.affine(),
                            momentum == null || momentum.isNull() ? null : momentum.doubleValue());
            this.stats = States.runningStats(golden.initialState);
        } else {
            this.tracked = null;
            this.stats = null;
        }
    }

    @Override
    public Map<String, double[]> run(GoldenCase.Batch batch, double[][] out) {
        if (tracked == null) {
            for (int r = 0; r < out.length; r++) {
                perRecord.apply(batch.input[r], out[r]);
            }
            return Map.of();
        }
        if (batch.training) {
            tracked.train(batch.input, out, stats);
        } else {
            for (int r = 0; r < out.length; r++) {
                tracked.eval(batch.input[r], out[r], stats);
            }
        }
        return States.of(stats);
    }
}
