package dev.streamnorm.operators.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jobs built with the current {@link Normalization} start from the committed v1 savepoints and emit
 * exactly (bit for bit) what the expected state implies: eval mode serves the restored running
 * stats, train mode closes the restored open batches and goes on updating the restored running
 * stats, online mode goes on from the restored moments. The open batches are checked through this
 * behaviour only, not through the operator's internal state layout.
 */
class V1SavepointRestoreITCase {
    private static final List<String> KEYS =
            List.of("sensor-a", "sensor-b", "sensor-c", "sensor-d", "sensor-e");

    @RegisterExtension static final MiniClusterExtension FLINK = CompatMiniCluster.twoSlots();

    @Test
    void evalModeServesTheRestoredRunningStats() throws Exception {
        ExpectedState expected = V1Savepoints.expected(Mode.TRAIN);
        Normalization eval = expected.job().builder(Mode.EVAL).setStatsFromSavepoint(true).build();
        List<FeatureRecord> input = newRecords(List.of("sensor-z"), 2);

        List<String> lines =
                RestoredRun.run(
                        eval,
                        V1Savepoints.savepoint(Mode.TRAIN, Backend.HASHMAP),
                        Backend.HASHMAP,
                        2,
                        input);

        Map<String, RunningStats> stats = expected.runningStatsByKey();
        BatchNorm layer = eval.batchNorm(RecordShape.vector(expected.job().channels()));
        List<String> want = new ArrayList<>();
        for (FeatureRecord record : input) {
            RunningStats keyStats = stats.get(record.key());
            if (keyStats == null) {
                want.add("D|" + record.key() + "|no-stats");
                continue;
            }
            ChannelNormalizer normalizer = layer.newNormalizer().useRunningStats(keyStats);
            FeatureRecord normalized = record.copy();
            normalizer.apply(normalized.values(), normalized.values());
            want.add(Lines.output(normalized));
        }
        assertThat(lines).isEqualTo(sorted(want));
        assertThat(lines)
                .filteredOn(l -> l.startsWith("D|"))
                .as("sensor-d has only an open batch, sensor-z nothing")
                .hasSize(4);
    }

    @Test
    void trainModeClosesTheRestoredBatchesAndUpdatesTheRestoredStats() throws Exception {
        ExpectedState expected = V1Savepoints.expected(Mode.TRAIN);
        Normalization train = expected.job().builder(Mode.TRAIN).setEmitFinalStats(true).build();
        List<FeatureRecord> input = newRecords(List.of(), 3);

        List<String> lines =
                RestoredRun.run(
                        train,
                        V1Savepoints.savepoint(Mode.TRAIN, Backend.ROCKSDB),
                        Backend.ROCKSDB,
                        1,
                        input);

        assertThat(lines).isEqualTo(TrainReplay.restoredRunLines(train, expected, input));
        assertThat(lines)
                .as("the restored open batches are emitted with their payloads")
                .anyMatch(l -> l.startsWith("O|sensor-a|1732272029000|input.jsonl:30|{"));
        assertThat(lines).filteredOn(l -> l.startsWith("S|")).hasSize(KEYS.size());
    }

    @Test
    void onlineModeGoesOnFromTheRestoredMoments() throws Exception {
        ExpectedState expected = V1Savepoints.expected(Mode.ONLINE);
        Normalization online = expected.job().builder(Mode.ONLINE).build();
        List<FeatureRecord> input = newRecords(List.of("sensor-z"), 2);

        List<String> lines =
                RestoredRun.run(
                        online,
                        V1Savepoints.savepoint(Mode.ONLINE, Backend.ROCKSDB),
                        Backend.HASHMAP,
                        2,
                        input);

        OnlineReplay replay =
                OnlineReplay.restored(
                        expected.job().momentum(), expected.job().eps(), expected.ewMomentsByKey());
        List<String> want = new ArrayList<>();
        for (FeatureRecord record : input) {
            want.add(Lines.output(replay.accept(record)));
        }
        assertThat(lines).isEqualTo(sorted(want));
    }

    /** {@code perKey} new records for each savepoint key and each of {@code newKeys}. */
    private static List<FeatureRecord> newRecords(List<String> newKeys, int perKey) {
        List<String> keys = new ArrayList<>(KEYS);
        keys.addAll(newKeys);
        List<FeatureRecord> records = new ArrayList<>();
        for (int n = 0; n < perKey; n++) {
            for (int k = 0; k < keys.size(); k++) {
                double[] values = {10.0 * k + 0.25 * n, 10.0 * k - 3 - 0.5 * n, 10.0 * k - 6 + n};
                records.add(FeatureRecord.of(keys.get(k), 1_800_000_000_000L + 1000L * n, values));
            }
        }
        return records;
    }

    private static List<String> sorted(List<String> lines) {
        List<String> copy = new ArrayList<>(lines);
        Collections.sort(copy);
        return copy;
    }
}
