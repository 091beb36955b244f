package dev.streamnorm.jobs.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.state.RunningStats;
import java.util.Map;

/** Conversions between golden-format state entries and streamnorm's state types. */
final class States {
    private States() {}

    /** {@code running_mean}, {@code running_var} and optional {@code num_batches_tracked}. */
    static RunningStats runningStats(JsonNode state) {
        double[] mean = GoldenCase.flatten(GoldenCase.required(state, "running_mean"), -1, "mean");
        double[] variance =
                GoldenCase.flatten(GoldenCase.required(state, "running_var"), -1, "running_var");
        return RunningStats.of(mean, variance, state.path("num_batches_tracked").asLong(0));
    }

    /** The golden entries of running stats. */
    static Map<String, double[]> of(RunningStats stats) {
        return Map.of(
                "running_mean", stats.meanArray(),
                "running_var", stats.varianceArray(),
                "num_batches_tracked", new double[] {stats.numBatchesTracked()});
    }
}
