package dev.streamnorm.jobs.conformance;

import java.util.Map;

/**
 * Replays one golden case through streamnorm's numeric classes, one batch at a time, carrying state
 * from batch to batch.
 */
interface Replay {
    /**
     * Processes one batch: writes the normalized records to {@code out} and returns the state after
     * the batch, by the golden format's entry names (counters as whole doubles).
     */
    Map<String, double[]> run(GoldenCase.Batch batch, double[][] out);
}
