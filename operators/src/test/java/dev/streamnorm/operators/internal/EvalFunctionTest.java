package dev.streamnorm.operators.internal;

import static dev.streamnorm.operators.internal.Harnesses.deadLetters;
import static dev.streamnorm.operators.internal.Harnesses.drainByKey;
import static dev.streamnorm.operators.internal.Harnesses.feed;
import static dev.streamnorm.operators.internal.Harnesses.runningStats;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Eval mode: frozen stats from restored state or a table, never written; no-stats letters. */
@SuppressWarnings("try")
class EvalFunctionTest {
    private static final double EPS = 1e-3;
    private static final double[] WEIGHT = {2, -1};
    private static final double[] BIAS = {0.5, 1};

    private static final RunningStats STAR =
            RunningStats.of(new double[] {1, -1}, new double[] {4, 0.25}, 9);
    private static final RunningStats OF_B =
            RunningStats.of(new double[] {10, 20}, new double[] {1, 16}, 3);

    private static NormalizationBuilder eval() {
        return Normalization.builder()
                .setNorm(Norm.BATCH)
                .setMode(Mode.EVAL)
                .setEps(EPS)
                .setAffine(Affine.of(WEIGHT, BIAS));
    }

    private static double[] expected(double[] x, RunningStats stats) {
        return Reference.normalize(
                x, stats.meanArray(), stats.varianceArray(), EPS, WEIGHT, BIAS, 1);
    }

    /** A train harness' snapshot holding the running stats of key a. */
    private static OperatorSubtaskState trainedA() throws Exception {
        Normalization train =
                Normalization.builder()
                        .setMode(Mode.TRAIN)
                        .setBatchSize(2)
                        .setBatchTimeout(Duration.ZERO)
                        .setEps(EPS)
                        .setAffine(Affine.of(WEIGHT, BIAS))
                        .build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(train)) {
            feed(harness, FeatureRecord.of("a", 0, 1, 2));
            feed(harness, FeatureRecord.of("a", 1, 3, 6));
            assertThat(harness.extractOutputValues()).hasSize(2);
            return harness.snapshot(1, 1);
        }
    }

    @Test
    void restoredStatsWinThenTheKeysOwnEntryThenStar() throws Exception {
        Map<String, RunningStats> table = new LinkedHashMap<>();
        table.put("a", OF_B);
        table.put("b", OF_B);
        table.put(StatsTable.ANY_KEY, STAR);
        Normalization config =
                eval().setInitialStats(StatsTable.of(table)).setStatsFromSavepoint(true).build();
        // a's running stats after one batch {1, 3}, {2, 6}: mean 0.1·(2, 4), var 0.9 + 0.1·(2, 8).
        RunningStats restoredA =
                RunningStats.of(new double[] {0.2, 0.4}, new double[] {1.1, 1.7}, 1);
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config, trainedA(), Harnesses.Backend.HASHMAP)) {
            RunningStats before = runningStats(harness, "a");
            Reference.assertNear(before.meanArray(), restoredA.meanArray());
            Reference.assertNear(before.varianceArray(), restoredA.varianceArray());

            double[][] inputs = {{0.5, -2}, {7, 3}, {-4, 0}};
            for (int round = 0; round < 2; round++) {
                for (double[] x : inputs) {
                    for (String key : new String[] {"a", "b", "c"}) {
                        feed(harness, FeatureRecord.of(key, round, x));
                    }
                }
            }
            Map<String, List<FeatureRecord>> out = drainByKey(harness);
            for (int i = 0; i < 6; i++) {
                double[] x = inputs[i % 3];
                Reference.assertNear(out.get("a").get(i).values(), expected(x, before));
                Reference.assertNear(out.get("b").get(i).values(), expected(x, OF_B));
                Reference.assertNear(out.get("c").get(i).values(), expected(x, STAR));
            }
            assertThat(runningStats(harness, "a")).as("state never changes").isEqualTo(before);
            assertThat(runningStats(harness, "b")).isNull();
            assertThat(runningStats(harness, "c")).isNull();
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            assertThat(deadLetters(harness)).isEmpty();
        }
    }

    @Test
    void aKeyWithoutStatsIsADeadLetterAndTheStreamGoesOn() throws Exception {
        Normalization config = eval().setInitialStats(StatsTable.of(Map.of("b", OF_B))).build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            feed(harness, FeatureRecord.of("b", 0, 10, 20));
            feed(harness, FeatureRecord.of("c", 1, 10, 20));
            feed(harness, FeatureRecord.of("b", 2, 11, 24));
            feed(harness, FeatureRecord.of("b", 3, 11, 24, 5));
            List<DeadLetter> dead = deadLetters(harness);
            assertThat(dead)
                    .extracting(DeadLetter::error)
                    .containsExactly(ErrorCode.NO_STATS, ErrorCode.WRONG_LENGTH);
            assertThat(dead.get(0).message())
                    .isEqualTo("no statistics for key 'c' and no '*' entry");
            assertThat(dead.get(0).key()).isEqualTo("c");
            assertThat(dead.get(1).message())
                    .isEqualTo(
                            "expected 2 values (shape learned from the key's first record), got 3");
            List<FeatureRecord> out = harness.extractOutputValues();
            assertThat(out).extracting(FeatureRecord::timestamp).containsExactly(0L, 2L);
            Reference.assertNear(out.get(1).values(), expected(new double[] {11, 24}, OF_B));
            assertThat(out.size() + dead.size()).as("records in = out + dead letters").isEqualTo(4);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void withoutStatsABadRecordReportsTheEarlierErrorCode() throws Exception {
        // DESIGN §3: when several codes apply, the first in the order non-finite, wrong-length,
        // no-stats is reported.
        Normalization config =
                eval().setShape(RecordShape.vector(2))
                        .setInitialStats(StatsTable.of(Map.of("b", OF_B)))
                        .build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            feed(harness, FeatureRecord.of("c", 0, Double.NaN, 1));
            feed(harness, FeatureRecord.of("c", 1, 1, 2, 3));
            feed(harness, FeatureRecord.of("c", 2, 1, 2));
            assertThat(deadLetters(harness))
                    .extracting(DeadLetter::error)
                    .containsExactly(
                            ErrorCode.NON_FINITE, ErrorCode.WRONG_LENGTH, ErrorCode.NO_STATS);
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }
}
