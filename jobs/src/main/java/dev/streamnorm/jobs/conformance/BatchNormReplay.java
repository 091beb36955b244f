package dev.streamnorm.jobs.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.UpdatePolicy;
import java.util.Map;

/** Golden op {@code batchnorm}: train and eval batches, PyTorch and Keras conventions. */
final class BatchNormReplay implements Replay {
    private final GoldenCase golden;
    private final BatchNorm layer;
    private final ChannelNormalizer normalizer;
    private final boolean trackRunningStats;
    private final RunningStats stats;

    BatchNormReplay(GoldenCase golden) {
        this.golden = golden;
        JsonNode params = golden.params;
        this.trackRunningStats = params.path("track_running_stats").asBoolean(true);
        this.layer =
                new BatchNorm(golden.shape, golden.param("eps"), golden.affine(), policy(params));
        this.normalizer = layer.newNormalizer();
        this.stats = trackRunningStats ? States.runningStats(golden.initialState) : null;
    }

    private static UpdatePolicy policy(JsonNode params) {
        String convention = params.path("convention").asText("pytorch");
        JsonNode momentum = params.get("momentum");
        switch (convention) {
            case "pytorch":
                return momentum == null || momentum.isNull()
                        ? UpdatePolicy.cumulative()
                        : UpdatePolicy.pytorch(momentum.doubleValue());
            case "keras":
                return UpdatePolicy.keras(momentum == null ? 0.99 : momentum.doubleValue());
            default:
                throw new IllegalArgumentException("unknown convention '" + convention + "'");
        }
    }

    @Override
    public Map<String, double[]> run(GoldenCase.Batch batch, double[][] out) {
        if (!trackRunningStats || batch.training) {
            // As the train operator computes a batch's moments.
            ChannelMoments moments = new ChannelMoments(golden.shape.channels());
            moments.acceptBatch(batch.input, batch.input.length, golden.shape);
            if (trackRunningStats) {
                layer.closeBatch(moments, stats, normalizer);
            } else {
                normalizer.useBatch(moments);
            }
        } else {
            layer.useRunningStats(stats, normalizer);
        }
        for (int r = 0; r < out.length; r++) {
            normalizer.apply(batch.input[r], out[r]);
        }
        return trackRunningStats ? States.of(stats) : Map.of();
    }
}
