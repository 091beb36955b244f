package dev.streamnorm.operators.internal;

import static dev.streamnorm.operators.internal.Harnesses.bits;
import static dev.streamnorm.operators.internal.Harnesses.deadLetters;
import static dev.streamnorm.operators.internal.Harnesses.drainByKey;
import static dev.streamnorm.operators.internal.Harnesses.feed;
import static dev.streamnorm.operators.internal.Harnesses.runningStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Train mode with count batches: checkpoints mid-batch, flushes, state cleanup, dead letters. */
@SuppressWarnings("try")
class CountBatchTrainFunctionTest {
    private static final String[] KEYS = {"a", "b", "c"};
    private static final RecordShape SHAPE = RecordShape.of(3, 2);
    private static final double EPS = 1e-5;
    private static final double[] WEIGHT = {0.5, -1.25, 2.0};
    private static final double[] BIAS = {0.25, 0.0, -3.0};

    private static NormalizationBuilder config() {
        return Normalization.builder()
                .setNorm(Norm.BATCH)
                .setMode(Mode.TRAIN)
                .setShape(SHAPE)
                .setBatchSize(5)
                .setBatchTimeout(Duration.ofSeconds(1))
                .setMomentum(Momentum.of(0.1))
                .setEps(EPS)
                .setAffine(Affine.of(WEIGHT, BIAS));
    }

    /** 3 keys × {@code perKey} records, interleaved in a fixed pseudo-random order. */
    private static List<FeatureRecord> input(long seed, int perKey) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] next = new int[KEYS.length];
        List<FeatureRecord> records = new ArrayList<>();
        while (records.size() < perKey * KEYS.length) {
            int k = random.nextInt(KEYS.length);
            if (next[k] < perKey) {
                records.add(Reference.record(KEYS[k], next[k]++, random, SHAPE.size()));
            }
        }
        return records;
    }

    /** Everything a run produced: outputs in emission order and the final stats per key. */
    private static final class Run {
        final List<FeatureRecord> out = new ArrayList<>();
        final Map<String, RunningStats> stats = new TreeMap<>();
    }

    /**
     * Feeds {@code records} (timeout flush at processing time 1000 after {@code flushAt} records,
     * end of input after all), snapshotting and restoring into a new harness after {@code cut}
     * records when it is not null.
     */
    private static Run run(
            Harnesses.Backend backend,
            List<FeatureRecord> records,
            int flushAt,
            @Nullable Integer cut)
            throws Exception {
        Run run = new Run();
        Normalization config = config().build();
        KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config, null, backend);
        try {
            for (int i = 0; i < records.size(); i++) {
                if (cut != null && i == cut) {
                    OperatorSubtaskState snapshot = harness.snapshot(7L, 7L);
                    run.out.addAll(harness.extractOutputValues());
                    harness.close();
                    harness = Harnesses.keyed(config, snapshot, backend);
                }
                if (i == flushAt) {
                    harness.setProcessingTime(1000);
                }
                feed(harness, records.get(i));
            }
            harness.processWatermark(Long.MAX_VALUE);
            harness.endInput();
            run.out.addAll(harness.extractOutputValues());
            for (String key : KEYS) {
                run.stats.put(key, runningStats(harness, key));
            }
            assertThat(deadLetters(harness)).isEmpty();
            assertThat(Harnesses.keysWithState(harness, "running-stats")).isEqualTo(KEYS.length);
            assertThat(
                            Harnesses.keysWithState(
                                    harness, CountBatchTrainFunction.openBatch().getName()))
                    .isZero();
            assertThat(
                            Harnesses.keysWithState(
                                    harness, CountBatchTrainFunction.pendingRecords().getName()))
                    .isZero();
            if (backend == Harnesses.Backend.HASHMAP) {
                assertThat(harness.numKeyedStateEntries()).isEqualTo(KEYS.length);
            }
            assertThat(harness.numProcessingTimeTimers()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        } finally {
            harness.close();
        }
        return run;
    }

    @ParameterizedTest
    @EnumSource(Harnesses.Backend.class)
    void snapshotInTheMiddleOfABatchRestoresBitIdentically(Harnesses.Backend backend)
            throws Exception {
        List<FeatureRecord> records = input(42L, 23);
        Run uninterrupted = run(backend, records, 40, null);
        assertThat(uninterrupted.out).hasSize(records.size());

        for (int cut : new int[] {1, 17, 37, 40, 41, 68}) {
            Run restored = run(backend, records, 40, cut);
            assertThat(restored.out).as("cut at %s", cut).hasSize(uninterrupted.out.size());
            for (int i = 0; i < uninterrupted.out.size(); i++) {
                FeatureRecord expected = uninterrupted.out.get(i);
                FeatureRecord got = restored.out.get(i);
                assertThat(got.key()).isEqualTo(expected.key());
                assertThat(got.timestamp()).isEqualTo(expected.timestamp());
                assertThat(bits(got.values()))
                        .as("cut at %s, output %s", cut, i)
                        .isEqualTo(bits(expected.values()));
            }
            assertThat(restored.stats).as("cut at %s", cut).isEqualTo(uninterrupted.stats);
        }
        // Three count batches and the timeout and end-of-input flushes of every key.
        for (String key : KEYS) {
            assertThat(uninterrupted.stats.get(key).numBatchesTracked()).isBetween(4L, 6L);
        }
    }

    @Test
    void aPartialBatchIsFlushedByTheTimeoutWithItsOwnStatistics() throws Exception {
        Normalization config = config().setBatchSize(10).build();
        SplittableRandom random = new SplittableRandom(3);
        List<double[]> batch = new ArrayList<>();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            harness.setProcessingTime(500);
            for (int i = 0; i < 3; i++) {
                double[] values = Reference.values(random, SHAPE.size());
                batch.add(values);
                feed(harness, FeatureRecord.of("a", i, values));
            }
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
            harness.setProcessingTime(1499);
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.setProcessingTime(1500);

            List<FeatureRecord> out = harness.extractOutputValues();
            assertThat(out).hasSize(3);
            double[] mean = Reference.mean(batch, 3, 2);
            double[] m2 = Reference.m2(batch, mean, 2);
            double[] biased = new double[3];
            double[] unbiased = new double[3];
            for (int c = 0; c < 3; c++) {
                biased[c] = m2[c] / 6;
                unbiased[c] = m2[c] / 5;
            }
            for (int i = 0; i < 3; i++) {
                assertThat(out.get(i).timestamp()).isEqualTo(i);
                Reference.assertNear(
                        out.get(i).values(),
                        Reference.normalize(batch.get(i), mean, biased, EPS, WEIGHT, BIAS, 2));
            }
            RunningStats stats = runningStats(harness, "a");
            double[] expectedMean = new double[3];
            double[] expectedVar = new double[3];
            for (int c = 0; c < 3; c++) {
                expectedMean[c] = 0.1 * mean[c];
                expectedVar[c] = 0.9 + 0.1 * unbiased[c];
            }
            Reference.assertNear(stats.meanArray(), expectedMean);
            Reference.assertNear(stats.varianceArray(), expectedVar);
            assertThat(stats.numBatchesTracked()).isEqualTo(1);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            assertThat(harness.numProcessingTimeTimers()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void endOfInputFlushesEveryPartialBatchWithoutATimeout() throws Exception {
        Normalization config = config().setBatchSize(4).setBatchTimeout(Duration.ZERO).build();
        List<FeatureRecord> records = input(5L, 6);
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            for (FeatureRecord record : records) {
                feed(harness, record);
            }
            // 4 records of each key closed a batch; 2 per key wait, with no timeout timer.
            assertThat(harness.extractOutputValues()).hasSize(4 * KEYS.length);
            assertThat(harness.numProcessingTimeTimers()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
            harness.setProcessingTime(Long.MAX_VALUE / 2);
            assertThat(harness.extractOutputValues()).hasSize(4 * KEYS.length);

            harness.processWatermark(Long.MAX_VALUE);
            // The final watermark alone closes nothing: the end of input does.
            assertThat(harness.extractOutputValues()).hasSize(4 * KEYS.length);
            harness.endInput();
            Map<String, List<FeatureRecord>> out = drainByKey(harness);
            for (String key : KEYS) {
                assertThat(out.get(key)).hasSize(6);
                List<double[]> tail = new ArrayList<>();
                for (FeatureRecord r : records) {
                    if (r.key().equals(key) && r.timestamp() >= 4) {
                        tail.add(r.values());
                    }
                }
                // The flushed pair is normalized with its own mean (two records: ±1 weight·σ).
                double[] mean = Reference.mean(tail, 3, 2);
                double[] m2 = Reference.m2(tail, mean, 2);
                double[] biased = new double[3];
                for (int c = 0; c < 3; c++) {
                    biased[c] = m2[c] / 4;
                }
                for (int i = 0; i < 2; i++) {
                    Reference.assertNear(
                            out.get(key).get(4 + i).values(),
                            Reference.normalize(tail.get(i), mean, biased, EPS, WEIGHT, BIAS, 2));
                }
                assertThat(runningStats(harness, key).numBatchesTracked()).isEqualTo(2);
            }
            assertThat(harness.numKeyedStateEntries()).isEqualTo(KEYS.length);
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void pendingStateAndTimersAreClearedWhenABatchCloses() throws Exception {
        Normalization config = config().setBatchSize(3).build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            SplittableRandom random = new SplittableRandom(11);
            for (int i = 0; i < 2; i++) {
                for (String key : KEYS) {
                    feed(harness, Reference.record(key, i, random, SHAPE.size()));
                }
            }
            // Per key: one open batch (count, length, timeout deadline) and its records.
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2 * KEYS.length);
            assertThat(
                            Harnesses.keysWithState(
                                    harness, CountBatchTrainFunction.openBatch().getName()))
                    .isEqualTo(KEYS.length);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(KEYS.length);
            assertThat(harness.numEventTimeTimers()).isZero();
            for (String key : KEYS) {
                assertThat(runningStats(harness, key)).isNull();
                OpenBatch batch = Harnesses.openBatch(harness, key);
                assertThat(batch.size()).isEqualTo(2);
                assertThat(batch.recordLength()).isEqualTo(SHAPE.size());
                assertThat(batch.deadline()).as("processing time 0 + 1 s timeout").isEqualTo(1000);
                List<FeatureRecord> pending = Harnesses.pendingRecords(harness, key);
                assertThat(pending).extracting(FeatureRecord::timestamp).containsExactly(0L, 1L);
                assertThat(pending).extracting(FeatureRecord::key).containsOnly(key);
            }

            for (String key : KEYS) {
                feed(harness, Reference.record(key, 2, random, SHAPE.size()));
            }
            assertThat(harness.extractOutputValues()).hasSize(3 * KEYS.length);
            assertThat(harness.numKeyedStateEntries())
                    .as("only the running stats remain")
                    .isEqualTo(KEYS.length);
            assertThat(harness.numProcessingTimeTimers()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
            // The deleted timeout timers fire nothing later.
            harness.setProcessingTime(10_000);
            assertThat(harness.extractOutputValues()).hasSize(3 * KEYS.length);
        }
    }

    @Test
    void aBatchOfOneValuePerChannelUsesTheRunningStatsAndLeavesThemUnchanged() throws Exception {
        Normalization config = config().setShape(RecordShape.vector(3)).setBatchSize(4).build();
        SplittableRandom random = new SplittableRandom(17);
        try (Harnesses.Metrics metrics = new Harnesses.Metrics();
                KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord>
                        harness = Harnesses.keyed(config, metrics)) {
            for (int i = 0; i < 4; i++) {
                feed(harness, Reference.record("a", i, random, 3));
            }
            RunningStats before = runningStats(harness, "a");
            assertThat(before.numBatchesTracked()).isEqualTo(1);

            double[] single = Reference.values(random, 3);
            feed(harness, FeatureRecord.of("a", 4, single));
            double[] fresh = Reference.values(random, 3);
            feed(harness, FeatureRecord.of("b", 0, fresh));
            harness.setProcessingTime(1000);

            Map<String, List<FeatureRecord>> out = drainByKey(harness);
            Reference.assertNear(
                    out.get("a").get(4).values(),
                    Reference.normalize(
                            single,
                            before.meanArray(),
                            before.varianceArray(),
                            EPS,
                            WEIGHT,
                            BIAS,
                            1));
            // A key without stats: PyTorch's initial stats (mean 0, variance 1).
            Reference.assertNear(
                    out.get("b").get(0).values(),
                    Reference.normalize(
                            fresh, new double[3], Reference.filled(3, 1.0), EPS, WEIGHT, BIAS, 1));
            assertThat(runningStats(harness, "a")).isEqualTo(before);
            assertThat(runningStats(harness, "b")).as("nothing stored for b").isNull();
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            assertThat(metrics.count("batches")).isEqualTo(1);
            assertThat(metrics.count("singleValueBatches")).isEqualTo(2);
            assertThat(metrics.count("recordsNormalized")).isEqualTo(6);
            assertThat(metrics.count("keys")).as("keys with running stats").isEqualTo(1);
        }
    }

    @Test
    void badRecordsGoToTheDeadLetterAndTheStreamGoesOn() throws Exception {
        Normalization config = config().setBatchSize(2).build();
        byte[] payload = "{\"key\":\"a\",\"values\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        Origin origin = Origin.kafka("features", 3, 1234L);
        SplittableRandom random = new SplittableRandom(23);
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            int in = 0;
            feed(harness, new FeatureRecord("a", 0, new double[] {1, 2}, payload, origin));
            in++;
            double[] nan = Reference.values(random, 6);
            nan[4] = Double.NaN;
            feed(harness, FeatureRecord.of("a", 1, nan));
            in++;
            double[] inf = Reference.values(random, 7);
            inf[0] = Double.NEGATIVE_INFINITY;
            feed(harness, FeatureRecord.of("b", 0, inf));
            in++;
            feed(harness, FeatureRecord.of("b", 1));
            in++;
            for (int i = 0; i < 4; i++) {
                feed(harness, Reference.record(i % 2 == 0 ? "a" : "b", 10 + i, random, 6));
                in++;
            }

            List<DeadLetter> dead = deadLetters(harness);
            assertThat(dead)
                    .extracting(DeadLetter::error)
                    .containsExactly(
                            ErrorCode.WRONG_LENGTH,
                            ErrorCode.NON_FINITE,
                            ErrorCode.NON_FINITE,
                            ErrorCode.WRONG_LENGTH);
            assertThat(dead.get(0).message()).isEqualTo("expected 6 values (shape 3x2), got 2");
            assertThat(dead.get(0).payload()).isEqualTo(payload);
            assertThat(dead.get(0).origin()).isEqualTo(origin);
            assertThat(dead.get(0).key()).isEqualTo("a");
            assertThat(dead.get(1).message())
                    .isEqualTo("values[4] is NaN; only finite numbers are allowed");
            assertThat(dead.get(2).message())
                    .as("non-finite wins over wrong-length")
                    .isEqualTo("values[0] is -Infinity; only finite numbers are allowed");
            assertThat(dead.get(3).message()).isEqualTo("values is empty");

            List<FeatureRecord> out = harness.extractOutputValues();
            assertThat(out).hasSize(4);
            assertThat(out)
                    .extracting(FeatureRecord::timestamp)
                    .containsExactly(10L, 12L, 11L, 13L);
            assertThat(in)
                    .as("records in = records out + dead letters")
                    .isEqualTo(out.size() + dead.size());
            assertThat(runningStats(harness, "a").numBatchesTracked()).isEqualTo(1);
            assertThat(runningStats(harness, "b").numBatchesTracked()).isEqualTo(1);
        }
    }

    @Test
    void aLearnedShapeIsEnforcedPerKey() throws Exception {
        Normalization config =
                config().setShape(null).setAffine(Affine.identity()).setBatchSize(2).build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            feed(harness, FeatureRecord.of("a", 0, 1, 2, 3));
            feed(harness, FeatureRecord.of("b", 0, 1, 2, 3, 4));
            // Pending batch of a: 3 values.
            feed(harness, FeatureRecord.of("a", 1, 1, 2, 3, 4));
            feed(harness, FeatureRecord.of("b", 1, 4, 3, 2, 1));
            feed(harness, FeatureRecord.of("a", 2, 3, 2, 1));
            // a's batch closed: its running stats now fix 3 values.
            feed(harness, FeatureRecord.of("a", 3, 1, 2));
            feed(harness, FeatureRecord.of("a", 4, 5, 6, 7));

            List<DeadLetter> dead = deadLetters(harness);
            assertThat(dead)
                    .extracting(DeadLetter::error)
                    .containsExactly(ErrorCode.WRONG_LENGTH, ErrorCode.WRONG_LENGTH);
            assertThat(dead)
                    .extracting(DeadLetter::message)
                    .containsExactly(
                            "expected 3 values (shape learned from the key's first record), got 4",
                            "expected 3 values (shape learned from the key's first record), got 2");
            assertThat(dead).extracting(DeadLetter::key).containsExactly("a", "a");
            Map<String, List<FeatureRecord>> out = drainByKey(harness);
            // a: records 0 and 2 form a batch: (x - mean) / sqrt(var + eps), var = 1 per channel.
            double s = 1 / Math.sqrt(1 + EPS);
            assertThat(out.get("a").get(0).values())
                    .containsExactly(new double[] {-s, 0, s}, within(1e-15));
            assertThat(out.get("a").get(1).values())
                    .containsExactly(new double[] {s, 0, -s}, within(1e-15));
            assertThat(out.get("b")).hasSize(2);
            assertThat(runningStats(harness, "b").channels()).isEqualTo(4);
            assertThat(out.get("a").size() + out.get("b").size() + dead.size() + 1)
                    .as("records in = out + dead letters + the one still pending")
                    .isEqualTo(7);
        }
    }

    @Test
    void finalStatsOfEveryKeyAreEmittedAtTheEndOfInput() throws Exception {
        Normalization config = config().setEmitFinalStats(true).setBatchSize(2).build();
        List<FeatureRecord> records = input(29L, 5);
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            for (FeatureRecord record : records) {
                feed(harness, record);
            }
            assertThat(harness.getSideOutput(Normalization.FINAL_STATS)).isNullOrEmpty();
            harness.processWatermark(Long.MAX_VALUE);
            harness.endInput();
            List<Tuple2<String, RunningStats>> finals =
                    Harnesses.values(harness.getSideOutput(Normalization.FINAL_STATS));
            assertThat(finals).extracting(t -> t.f0).containsExactlyInAnyOrder(KEYS);
            for (Tuple2<String, RunningStats> entry : finals) {
                assertThat(entry.f1).isEqualTo(runningStats(harness, entry.f0));
                // Two full batches and the flushed last record (n = 1 record × L 2 = 2 values).
                assertThat(entry.f1.numBatchesTracked()).isEqualTo(3);
            }
            assertThat(harness.extractOutputValues()).hasSize(records.size());
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }
}
