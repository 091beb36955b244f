package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each key's final running stats after a failure-free train run over {@link SequencedFeatures},
 * computed in this JVM with the state module's numerics.
 *
 * <p>Why this and not a second Flink run: the train operator with count batches makes exactly these
 * calls per key — {@link ChannelMoments#acceptBatch} over every {@code batch-size} good records in
 * arrival order, then {@link BatchNorm#closeBatch}, and once more for the partial batch at the end
 * of input — and a failure-free run is defined by per-key arrival order alone (keys never
 * interact). So the same calls in the same order give the same bits, without a second run of a
 * million records; and because it is computed independently of Flink, a restore that replayed,
 * skipped or reordered a record, or lost pending batch state, shows up as a difference.
 */
final class ReferenceStats {
    private ReferenceStats() {}

    static Map<String, RunningStats> compute(
            SequencedFeatures input, Normalization normalization, RecordShape shape) {
        Map<String, RunningStats> stats = new LinkedHashMap<>();
        BatchNorm layer = normalization.batchNorm(shape);
        ChannelNormalizer normalizer = layer.newNormalizer();
        for (int k = 0; k < input.keys; k++) {
            RunningStats running = RunningStats.initial(shape.channels());
            double[][] batch = new double[normalization.batchSize()][];
            int pending = 0;
            for (int seq = 0; seq < input.perKey; seq++) {
                if (seq == input.badSeq(k)) {
                    continue;
                }
                batch[pending++] = input.values(k, seq);
                if (pending == batch.length) {
                    close(layer, batch, pending, shape, running, normalizer);
                    pending = 0;
                }
            }
            if (pending > 0) {
                close(layer, batch, pending, shape, running, normalizer);
            }
            stats.put(SequencedFeatures.key(k), running);
        }
        return stats;
    }

    /**
     * Asserts that the stats file {@code statsOut}, written at the end of a train run over {@code
     * input}, holds exactly the keys of a failure-free run and, bit for bit, their stats.
     */
    static void assertFinalStats(
            Path statsOut,
            SequencedFeatures input,
            Normalization normalization,
            RecordShape shape) {
        Map<String, RunningStats> expected = compute(input, normalization, shape);
        assertThat(statsOut).as("the stats file written at the end of the run").exists();
        StatsFile actual = StatsFile.read(statsOut);
        assertThat(actual.stats.keys())
                .as("keys in the stats file")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        List<String> different = new ArrayList<>();
        expected.forEach(
                (key, stats) -> {
                    RunningStats got = actual.stats.lookup(key).orElseThrow();
                    if (!got.equals(stats)) {
                        different.add(key + ": " + got + ", failure-free " + stats);
                    }
                });
        assertThat(different)
                .as("keys whose final stats differ (bitwise) from a failure-free run")
                .isEmpty();
    }

    private static void close(
            BatchNorm layer,
            double[][] batch,
            int size,
            RecordShape shape,
            RunningStats running,
            ChannelNormalizer normalizer) {
        ChannelMoments moments = new ChannelMoments(shape.channels());
        moments.acceptBatch(batch, size, shape);
        layer.closeBatch(moments, running, normalizer);
    }
}
