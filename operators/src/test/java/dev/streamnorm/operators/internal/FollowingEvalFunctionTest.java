package dev.streamnorm.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.StatsUpdate;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Eval mode following stats updates: the stats version of a record depends on event times only, not
 * on how records and updates interleave, and survives a snapshot and restore.
 */
@SuppressWarnings("try")
class FollowingEvalFunctionTest {
    private static final double EPS = 1e-3;
    private static final double[] WEIGHT = {2, -1};
    private static final double[] BIAS = {0.5, 1};

    private static final RunningStats INITIAL_STAR =
            RunningStats.of(new double[] {1, -1}, new double[] {4, 0.25}, 9);
    private static final RunningStats V1_A =
            RunningStats.of(new double[] {10, 20}, new double[] {1, 16}, 3);
    private static final RunningStats V1_STAR =
            RunningStats.of(new double[] {-3, 3}, new double[] {9, 9}, 5);
    private static final RunningStats V2_STAR =
            RunningStats.of(new double[] {0.5, 0.25}, new double[] {2, 3}, 7);

    /** From 150: own stats for a, {@code *} for the others. */
    private static final StatsUpdate V1 =
            new StatsUpdate("v1", 150, table("a", V1_A, StatsTable.ANY_KEY, V1_STAR));

    /** From 250: {@code *} only, so a falls back to it too. */
    private static final StatsUpdate V2 =
            new StatsUpdate("v2", 250, table(StatsTable.ANY_KEY, V2_STAR));

    private static final List<FeatureRecord> RECORDS =
            List.of(
                    FeatureRecord.of("a", 100, 1, 2),
                    FeatureRecord.of("b", 150, 3, -4),
                    FeatureRecord.of("a", 300, 5, 6),
                    FeatureRecord.of("a", 200, -7, 8),
                    FeatureRecord.of("b", 249, 0.5, 0.5));

    private static StatsTable table(Object... keysAndStats) {
        Map<String, RunningStats> entries = new LinkedHashMap<>();
        for (int i = 0; i < keysAndStats.length; i += 2) {
            entries.put((String) keysAndStats[i], (RunningStats) keysAndStats[i + 1]);
        }
        return StatsTable.of(entries);
    }

    private static Normalization config(StatsTable initial) {
        return Normalization.builder()
                .setNorm(Norm.BATCH)
                .setMode(Mode.EVAL)
                .setEps(EPS)
                .setAffine(Affine.of(WEIGHT, BIAS))
                .setInitialStats(initial)
                .setEmitStatsVersion(true)
                .build();
    }

    private static final Normalization CONFIG = config(table(StatsTable.ANY_KEY, INITIAL_STAR));

    static KeyedTwoInputStreamOperatorTestHarness<String, FeatureRecord, StatsUpdate, FeatureRecord>
            harness(Normalization config, @Nullable OperatorSubtaskState restore) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, FeatureRecord, StatsUpdate, FeatureRecord>
                harness =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new CoBroadcastWithKeyedOperator<>(
                                        new FollowingEvalFunction(config),
                                        List.of(FollowingEvalFunction.UPDATES)),
                                FeatureRecord::key,
                                null,
                                Types.STRING,
                                1,
                                1,
                                0);
        return Harnesses.open(harness, restore);
    }

    private static void feed(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, FeatureRecord, StatsUpdate, FeatureRecord>
                    harness,
            List<FeatureRecord> records)
            throws Exception {
        for (FeatureRecord record : records) {
            harness.processElement1(record.copy(), record.timestamp());
        }
    }

    private static void feedUpdates(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, FeatureRecord, StatsUpdate, FeatureRecord>
                    harness,
            StatsUpdate... updates)
            throws Exception {
        for (StatsUpdate update : updates) {
            harness.processElement2(update, update.effectiveFrom());
        }
    }

    private static FeatureRecord normalized(FeatureRecord in, RunningStats stats, String version) {
        double[] y =
                Reference.normalize(
                        in.values(),
                        stats.meanArray(),
                        stats.varianceArray(),
                        EPS,
                        WEIGHT,
                        BIAS,
                        1);
        return FeatureRecord.of(in.key(), in.timestamp(), y).withStatsVersion(version);
    }

    /** What the rule gives for {@link #RECORDS} with V1 and V2, in release (event-time) order. */
    private static List<FeatureRecord> expectedForRecords() {
        return List.of(
                normalized(RECORDS.get(0), INITIAL_STAR, "initial"),
                normalized(RECORDS.get(1), V1_STAR, "v1"),
                normalized(RECORDS.get(3), V1_A, "v1"),
                normalized(RECORDS.get(4), V1_STAR, "v1"),
                normalized(RECORDS.get(2), V2_STAR, "v2"));
    }

    /** Same records, versions and order; values equal up to rounding of the prepared factors. */
    private static void assertMatches(List<FeatureRecord> actual, List<FeatureRecord> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            FeatureRecord a = actual.get(i);
            FeatureRecord e = expected.get(i);
            assertThat(a.key()).isEqualTo(e.key());
            assertThat(a.timestamp()).isEqualTo(e.timestamp());
            assertThat(a.statsVersion()).isEqualTo(e.statsVersion());
            assertThat(a.values()).containsExactly(e.values(), within(1e-12));
        }
    }

    private static List<FeatureRecord> sortedByTime(List<FeatureRecord> records) {
        List<FeatureRecord> sorted = new ArrayList<>(records);
        sorted.sort((x, y) -> Long.compare(x.timestamp(), y.timestamp()));
        return sorted;
    }

    @Test
    void updatesBeforeRecordsAndRecordsBeforeUpdatesGiveTheSameOutput() throws Exception {
        List<FeatureRecord> updatesFirst;
        try (var harness = harness(CONFIG, null)) {
            feedUpdates(harness, V1, V2);
            feed(harness, RECORDS);
            harness.processBothWatermarks(new Watermark(1_000));
            updatesFirst = harness.extractOutputValues();
        }
        List<FeatureRecord> recordsFirst;
        try (var harness = harness(CONFIG, null)) {
            feed(harness, RECORDS);
            harness.processWatermark1(new Watermark(1_000));
            assertThat(harness.extractOutputValues()).isEmpty();
            feedUpdates(harness, V2);
            feedUpdates(harness, V1);
            harness.processWatermark2(new Watermark(1_000));
            recordsFirst = harness.extractOutputValues();
        }

        assertMatches(updatesFirst, expectedForRecords());
        assertThat(sortedByTime(recordsFirst)).isEqualTo(sortedByTime(updatesFirst));
    }

    @Test
    void recordsWaitForTheWatermarkOfBothInputs() throws Exception {
        try (var harness = harness(CONFIG, null)) {
            feed(harness, RECORDS);
            harness.processWatermark1(new Watermark(200));
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.processWatermark2(new Watermark(150));
            // Released up to 150: a@100 and b@150; V1 (effective 150) has not arrived yet.
            assertMatches(
                    harness.extractOutputValues(),
                    List.of(
                            normalized(RECORDS.get(0), INITIAL_STAR, "initial"),
                            normalized(RECORDS.get(1), INITIAL_STAR, "initial")));
        }
    }

    @Test
    void aLaterUpdateWithTheSameEffectiveTimeWins() throws Exception {
        StatsUpdate sameTime = new StatsUpdate("v1b", 150, table(StatsTable.ANY_KEY, V2_STAR));
        try (var harness = harness(CONFIG, null)) {
            feedUpdates(harness, V1, sameTime);
            feed(harness, List.of(RECORDS.get(3)));
            harness.processBothWatermarks(new Watermark(1_000));
            assertMatches(
                    harness.extractOutputValues(),
                    List.of(normalized(RECORDS.get(3), V2_STAR, "v1b")));
        }
    }

    @Test
    void keyWithoutEntryNorStarInTheEffectiveUpdateIsADeadLetter() throws Exception {
        StatsUpdate onlyA = new StatsUpdate("only-a", 150, table("a", V1_A));
        FeatureRecord early = FeatureRecord.of("c", 100, 1, 1);
        FeatureRecord late = FeatureRecord.of("c", 200, 1, 1);
        try (var harness = harness(CONFIG, null)) {
            feedUpdates(harness, onlyA);
            feed(harness, List.of(early, late, RECORDS.get(3)));
            harness.processBothWatermarks(new Watermark(1_000));

            assertMatches(
                    harness.extractOutputValues(),
                    List.of(
                            normalized(early, INITIAL_STAR, "initial"),
                            normalized(RECORDS.get(3), V1_A, "only-a")));
            List<DeadLetter> letters =
                    Harnesses.values(harness.getSideOutput(Normalization.DEAD_LETTERS));
            assertThat(letters).extracting(DeadLetter::error).containsExactly(ErrorCode.NO_STATS);
            assertThat(letters.get(0).message()).contains("'c'");
        }
    }

    @Test
    void aLateUpdateAppliesToRecordsReleasedAfterIt() throws Exception {
        FeatureRecord before = FeatureRecord.of("a", 400, 1, 1);
        FeatureRecord after = FeatureRecord.of("a", 600, 1, 1);
        try (var harness = harness(CONFIG, null)) {
            feed(harness, List.of(before));
            harness.processBothWatermarks(new Watermark(500));
            feedUpdates(harness, V2); // effective 250, behind the watermark 500
            feed(harness, List.of(after));
            harness.processBothWatermarks(new Watermark(1_000));

            assertMatches(
                    harness.extractOutputValues(),
                    List.of(
                            normalized(before, INITIAL_STAR, "initial"),
                            normalized(after, V2_STAR, "v2")));
        }
    }

    @Test
    void withoutTheOptionRecordsCarryNoVersion() throws Exception {
        Normalization quiet =
                Normalization.builder()
                        .setMode(Mode.EVAL)
                        .setEps(EPS)
                        .setAffine(Affine.of(WEIGHT, BIAS))
                        .setInitialStats(table(StatsTable.ANY_KEY, INITIAL_STAR))
                        .build();
        try (var harness = harness(quiet, null)) {
            feedUpdates(harness, V1);
            feed(harness, List.of(RECORDS.get(3)));
            harness.processBothWatermarks(new Watermark(1_000));
            assertMatches(
                    harness.extractOutputValues(),
                    List.of(normalized(RECORDS.get(3), V1_A, "v1").withStatsVersion(null)));
        }
    }

    @Test
    void heldRecordsAndUpdatesSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        List<FeatureRecord> beforeSnapshot;
        try (var harness = harness(CONFIG, null)) {
            feedUpdates(harness, V1);
            feed(harness, RECORDS.subList(0, 3));
            harness.processBothWatermarks(new Watermark(120));
            beforeSnapshot = harness.extractOutputValues();
            snapshot = harness.snapshot(1, 1);
        }
        List<FeatureRecord> afterRestore;
        try (var harness = harness(CONFIG, snapshot)) {
            feed(harness, RECORDS.subList(3, RECORDS.size()));
            feedUpdates(harness, V2);
            harness.processBothWatermarks(new Watermark(1_000));
            afterRestore = harness.extractOutputValues();
        }

        assertMatches(beforeSnapshot, expectedForRecords().subList(0, 1));
        List<FeatureRecord> all = new ArrayList<>(beforeSnapshot);
        all.addAll(afterRestore);
        assertMatches(all, expectedForRecords());
    }

    @Test
    void restoredRunningStatsServeAsTheInitialVersion() throws Exception {
        Normalization train =
                Normalization.builder()
                        .setBatchSize(2)
                        .setBatchTimeout(Duration.ZERO)
                        .setEps(EPS)
                        .setAffine(Affine.of(WEIGHT, BIAS))
                        .build();
        OperatorSubtaskState trained;
        RunningStats trainedA;
        try (var harness = Harnesses.keyed(train)) {
            Harnesses.feed(harness, FeatureRecord.of("a", 0, 1, 2));
            Harnesses.feed(harness, FeatureRecord.of("a", 1, 3, 6));
            trainedA = Harnesses.runningStats(harness, "a");
            trained = harness.snapshot(1, 1);
        }
        FeatureRecord before = FeatureRecord.of("a", 100, 2, 2);
        FeatureRecord beforeOtherKey = FeatureRecord.of("b", 100, 2, 2);
        FeatureRecord after = FeatureRecord.of("a", 200, 2, 2);
        try (var harness = harness(CONFIG, trained)) {
            feedUpdates(harness, V1);
            feed(harness, List.of(before, beforeOtherKey, after));
            harness.processBothWatermarks(new Watermark(1_000));

            assertMatches(
                    harness.extractOutputValues(),
                    List.of(
                            normalized(before, trainedA, "initial"),
                            normalized(beforeOtherKey, INITIAL_STAR, "initial"),
                            normalized(after, V1_A, "v1")));
        }
    }

    @Test
    void supersededUpdatesArePrunedOnceTheWatermarkPassesTheirSuccessor() throws Exception {
        try (var harness = harness(CONFIG, null)) {
            feedUpdates(harness, V1);
            harness.processBothWatermarks(new Watermark(300));
            feedUpdates(harness, V2);
            Map<Long, List<StatsUpdate>> kept = new LinkedHashMap<>();
            harness.getOperator()
                    .getOperatorStateBackend()
                    .getBroadcastState(FollowingEvalFunction.UPDATES)
                    .immutableEntries()
                    .forEach(e -> kept.put(e.getKey(), e.getValue()));
            assertThat(kept).containsOnlyKeys(250L);
        }
    }
}
