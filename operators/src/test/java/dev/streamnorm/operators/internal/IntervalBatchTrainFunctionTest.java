package dev.streamnorm.operators.internal;

import static dev.streamnorm.operators.internal.Harnesses.bits;
import static dev.streamnorm.operators.internal.Harnesses.deadLetters;
import static dev.streamnorm.operators.internal.Harnesses.drainByKey;
import static dev.streamnorm.operators.internal.Harnesses.feed;
import static dev.streamnorm.operators.internal.Harnesses.keysWithState;
import static dev.streamnorm.operators.internal.Harnesses.runningStats;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Train mode with event-time batches: tumbling windows closed by the watermark, in order. */
@SuppressWarnings("try")
class IntervalBatchTrainFunctionTest {
    private static final double EPS = 1e-5;
    private static final double S = 1 / Math.sqrt(2.0 / 3 + EPS);

    private static NormalizationBuilder config() {
        return Normalization.builder()
                .setNorm(Norm.BATCH)
                .setMode(Mode.TRAIN)
                .setShape(RecordShape.vector(2))
                .setBatchInterval(Duration.ofMillis(10))
                .setMomentum(Momentum.of(0.1))
                .setEps(EPS);
    }

    /** Two windows per key, records out of order within the watermark. */
    private static void feedTwoWindows(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness)
            throws Exception {
        feed(harness, FeatureRecord.of("a", 1, 1, 10));
        feed(harness, FeatureRecord.of("b", 2, -1, 0));
        feed(harness, FeatureRecord.of("a", 12, 5, 50));
        feed(harness, FeatureRecord.of("a", 3, 3, 30));
        feed(harness, FeatureRecord.of("b", 11, 0, 0));
        feed(harness, FeatureRecord.of("a", 15, 7, 70));
        feed(harness, FeatureRecord.of("b", 8, 1, 4));
        feed(harness, FeatureRecord.of("a", 5, 2, 20));
        feed(harness, FeatureRecord.of("b", 19, 2, 2));
    }

    @Test
    void theWatermarkClosesWindowsInTimeOrder() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config().build())) {
            feedTwoWindows(harness);
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.numEventTimeTimers())
                    .as("one timer per key and window")
                    .isEqualTo(4);

            harness.processWatermark(9);
            Map<String, List<FeatureRecord>> first = drainByKey(harness);
            assertThat(first.get("a"))
                    .extracting(FeatureRecord::timestamp)
                    .containsExactly(1L, 3L, 5L);
            // a's window 0: channel 0 = {1, 3, 2}, channel 1 = {10, 30, 20}.
            double t = 10 / Math.sqrt(200.0 / 3 + EPS);
            double[][] expected = {{-S, -t}, {S, t}, {0, 0}};
            for (int i = 0; i < 3; i++) {
                Reference.assertNear(first.get("a").get(i).values(), expected[i]);
            }
            assertThat(first.get("b")).extracting(FeatureRecord::timestamp).containsExactly(2L, 8L);
            RunningStats a = runningStats(harness, "a");
            Reference.assertNear(a.meanArray(), new double[] {0.2, 2.0});
            Reference.assertNear(a.varianceArray(), new double[] {0.9 + 0.1 * 1, 0.9 + 0.1 * 100});
            assertThat(a.numBatchesTracked()).isEqualTo(1);

            harness.processWatermark(19);
            Map<String, List<FeatureRecord>> second = drainByKey(harness);
            assertThat(second.get("a"))
                    .extracting(FeatureRecord::timestamp)
                    .containsExactly(12L, 15L);
            assertThat(second.get("b"))
                    .extracting(FeatureRecord::timestamp)
                    .containsExactly(11L, 19L);
            a = runningStats(harness, "a");
            Reference.assertNear(
                    a.meanArray(), new double[] {0.9 * 0.2 + 0.1 * 6, 0.9 * 2 + 0.1 * 60});
            Reference.assertNear(
                    a.varianceArray(), new double[] {0.9 * 1.0 + 0.1 * 2, 0.9 * 10.9 + 0.1 * 200});
            assertThat(a.numBatchesTracked()).isEqualTo(2);

            assertThat(keysWithState(harness, "window-moments")).isZero();
            assertThat(keysWithState(harness, "pending-records")).isZero();
            assertThat(harness.numKeyedStateEntries()).as("running stats of a and b").isEqualTo(2);
            assertThat(harness.numEventTimeTimers()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void oneWatermarkPastTwoWindowsClosesThemInOrder() throws Exception {
        RunningStats stepByStep;
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config().build())) {
            feedTwoWindows(harness);
            harness.processWatermark(9);
            harness.processWatermark(19);
            stepByStep = runningStats(harness, "a");
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config().build())) {
            feedTwoWindows(harness);
            harness.processWatermark(100);
            assertThat(runningStats(harness, "a")).isEqualTo(stepByStep);
            assertThat(drainByKey(harness).get("a"))
                    .extracting(FeatureRecord::timestamp)
                    .containsExactly(1L, 3L, 5L, 12L, 15L);
        }
    }

    @Test
    void lateRecordsAreNormalizedWithTheRunningStatsAndCounted() throws Exception {
        try (Harnesses.Metrics metrics = new Harnesses.Metrics();
                KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord>
                        harness = Harnesses.keyed(config().build(), metrics)) {
            feedTwoWindows(harness);
            harness.processWatermark(19);
            harness.getOutput().clear();
            RunningStats before = runningStats(harness, "a");

            // Window [0, 10) of a closed long ago; window [10, 20) just closed.
            feed(harness, FeatureRecord.of("a", 4, 4, 40));
            feed(harness, FeatureRecord.of("a", 19, 1, 1));
            List<FeatureRecord> out = harness.extractOutputValues();
            assertThat(out).extracting(FeatureRecord::timestamp).containsExactly(4L, 19L);
            Reference.assertNear(
                    out.get(0).values(),
                    Reference.normalize(
                            new double[] {4, 40},
                            before.meanArray(),
                            before.varianceArray(),
                            EPS,
                            new double[] {1, 1},
                            new double[] {0, 0},
                            1));
            assertThat(runningStats(harness, "a")).isEqualTo(before);
            assertThat(metrics.count("lateRecords")).isEqualTo(2);
            assertThat(metrics.count("batches")).isEqualTo(4);
            assertThat(metrics.count("recordsNormalized")).isEqualTo(9 + 2);
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void theStreamTimestampServesRecordsWithoutTheirOwn() throws Exception {
        try (Harnesses.Metrics metrics = new Harnesses.Metrics();
                KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord>
                        harness = Harnesses.keyed(config().build(), metrics)) {
            harness.processElement(FeatureRecord.of("a", FeatureRecord.NO_TIMESTAMP, 1, 2), 21L);
            harness.processElement(FeatureRecord.of("a", FeatureRecord.NO_TIMESTAMP, 3, 6), 28L);
            // Neither an own nor a stream timestamp: normalized at once (initial stats).
            harness.processElement(
                    new StreamRecord<>(FeatureRecord.of("a", FeatureRecord.NO_TIMESTAMP, 5, 7)));
            List<FeatureRecord> out = harness.extractOutputValues();
            assertThat(out).hasSize(1);
            double s = 1 / Math.sqrt(1 + EPS);
            Reference.assertNear(out.get(0).values(), new double[] {5 * s, 7 * s});
            assertThat(metrics.count("lateRecords")).isEqualTo(1);

            harness.processWatermark(29);
            out = harness.extractOutputValues();
            assertThat(out)
                    .extracting(FeatureRecord::timestamp)
                    .containsExactly(FeatureRecord.NO_TIMESTAMP, 21L, 28L);
            Reference.assertNear(
                    out.get(1).values(),
                    new double[] {-1 / Math.sqrt(1 + EPS), -1 / Math.sqrt(4 + EPS) * 2});
            assertThat(runningStats(harness, "a").numBatchesTracked()).isEqualTo(1);
        }
    }

    @Test
    void endOfInputClosesOpenWindowsAndAOneRecordWindowKeepsTheStats() throws Exception {
        try (Harnesses.Metrics metrics = new Harnesses.Metrics();
                KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord>
                        harness = Harnesses.keyed(config().build(), metrics)) {
            feedTwoWindows(harness);
            harness.processWatermark(9);
            RunningStats afterFirst = runningStats(harness, "a");
            feed(harness, FeatureRecord.of("a", 1000, 9, 9));
            harness.processWatermark(Long.MAX_VALUE);
            Map<String, List<FeatureRecord>> out = drainByKey(harness);
            assertThat(out.get("a"))
                    .extracting(FeatureRecord::timestamp)
                    .containsExactly(1L, 3L, 5L, 12L, 15L, 1000L);
            // The window of ts 1000 holds one record (n = 1): normalized with the running stats.
            RunningStats afterSecond = runningStats(harness, "a");
            assertThat(afterSecond.numBatchesTracked()).isEqualTo(2);
            assertThat(afterSecond).isNotEqualTo(afterFirst);
            Reference.assertNear(
                    out.get("a").get(5).values(),
                    Reference.normalize(
                            new double[] {9, 9},
                            afterSecond.meanArray(),
                            afterSecond.varianceArray(),
                            EPS,
                            new double[] {1, 1},
                            new double[] {0, 0},
                            1));
            assertThat(metrics.count("singleValueBatches")).isEqualTo(1);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void wrongLengthAgainstTheOpenWindowOfALearnedShape() throws Exception {
        Normalization config = config().setShape(null).build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            feed(harness, FeatureRecord.of("a", 1, 1, 2, 3));
            feed(harness, FeatureRecord.of("a", 2, 1, 2));
            feed(harness, FeatureRecord.of("a", 3, 3, 2, 1));
            feed(harness, FeatureRecord.of("a", 4, 3, Double.POSITIVE_INFINITY, 1));
            harness.processWatermark(9);
            List<DeadLetter> dead = deadLetters(harness);
            assertThat(dead)
                    .extracting(DeadLetter::error)
                    .containsExactly(ErrorCode.WRONG_LENGTH, ErrorCode.NON_FINITE);
            assertThat(harness.extractOutputValues()).hasSize(2);
            feed(harness, FeatureRecord.of("a", 14, 1, 2, 3, 4));
            assertThat(deadLetters(harness)).hasSize(3);
            assertThat(deadLetters(harness).get(2).message())
                    .isEqualTo(
                            "expected 3 values (shape learned from the key's first record), got 4");
            assertThat(harness.extractOutputValues().size() + deadLetters(harness).size())
                    .as("records in = records out + dead letters")
                    .isEqualTo(5);
        }
    }

    @ParameterizedTest
    @EnumSource(Harnesses.Backend.class)
    void snapshotWithOpenWindowsRestoresBitIdentically(Harnesses.Backend backend) throws Exception {
        List<FeatureRecord> records = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(99);
        for (int i = 0; i < 120; i++) {
            long ts = i / 2 + random.nextInt(8);
            records.add(Reference.record("k" + random.nextInt(3), ts, random, 2));
        }
        Result uninterrupted = run(backend, records, null);
        assertThat(uninterrupted.out).hasSize(records.size());
        for (int cut : new int[] {5, 33, 61, 95, 119}) {
            Result restored = run(backend, records, cut);
            assertThat(restored.out).hasSize(records.size());
            for (int i = 0; i < records.size(); i++) {
                assertThat(restored.out.get(i).key()).isEqualTo(uninterrupted.out.get(i).key());
                assertThat(bits(restored.out.get(i).values()))
                        .isEqualTo(bits(uninterrupted.out.get(i).values()));
            }
            assertThat(restored.stats).isEqualTo(uninterrupted.stats);
            assertThat(restored.late).isEqualTo(uninterrupted.late);
        }
        assertThat(uninterrupted.late)
                .as("some records arrive after their window closed")
                .isPositive();
    }

    private static final class Result {
        final List<FeatureRecord> out = new ArrayList<>();
        final Map<String, RunningStats> stats = new TreeMap<>();
        long late;
    }

    /**
     * Watermark = the timestamp of every 10th record; snapshot and restore before record {@code
     * cut}. The new harness first gets the last watermark again, as the upstream operators of a
     * restarted job emit theirs: a watermark is not part of a checkpoint.
     */
    private static Result run(
            Harnesses.Backend backend, List<FeatureRecord> records, @Nullable Integer cut)
            throws Exception {
        Result result = new Result();
        Normalization config = config().build();
        KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config, null, backend);
        try {
            for (int i = 0; i < records.size(); i++) {
                if (cut != null && i == cut) {
                    OperatorSubtaskState snapshot = harness.snapshot(3L, 3L);
                    long watermark = harness.getCurrentWatermark();
                    result.out.addAll(harness.extractOutputValues());
                    harness.close();
                    harness = Harnesses.keyed(config, snapshot, backend);
                    harness.processWatermark(watermark);
                }
                FeatureRecord record = records.get(i);
                long windowEnd = record.timestamp() - Math.floorMod(record.timestamp(), 10) + 9;
                if (windowEnd <= harness.getCurrentWatermark()) {
                    result.late++;
                }
                feed(harness, record);
                if (i % 10 == 9) {
                    harness.processWatermark(record.timestamp());
                }
            }
            harness.processWatermark(Long.MAX_VALUE);
            result.out.addAll(harness.extractOutputValues());
            for (String key : new String[] {"k0", "k1", "k2"}) {
                result.stats.put(key, runningStats(harness, key));
            }
            assertThat(keysWithState(harness, "window-moments")).isZero();
            assertThat(keysWithState(harness, "pending-records")).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        } finally {
            harness.close();
        }
        return result;
    }
}
