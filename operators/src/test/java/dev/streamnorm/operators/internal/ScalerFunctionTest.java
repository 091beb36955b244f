package dev.streamnorm.operators.internal;

import static dev.streamnorm.operators.internal.Harnesses.deadLetters;
import static dev.streamnorm.operators.internal.Harnesses.drainByKey;
import static dev.streamnorm.operators.internal.Harnesses.feed;
import static dev.streamnorm.operators.internal.Harnesses.scalerStats;
import static dev.streamnorm.operators.internal.Harnesses.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.ScalerTable;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The scaler operator: per-key partial_fit then transform, eval, online, state and restore. */
@SuppressWarnings("try")
class ScalerFunctionTest {

    private static Normalization scaler(Norm norm, Mode mode) {
        return Normalization.builder().setNorm(norm).setMode(mode).build();
    }

    @Test
    void trainFitsEachKeyOnItsRecordsUpToAndIncludingTheRecord() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.scaler(
                        scaler(Norm.STANDARD, Mode.TRAIN), null, Harnesses.Backend.HASHMAP)) {
            feed(harness, FeatureRecord.of("a", 0, 1, 10));
            feed(harness, FeatureRecord.of("b", 0, 100, 100));
            feed(harness, FeatureRecord.of("a", 1, 3, 10));
            Map<String, List<FeatureRecord>> out = drainByKey(harness);
            // one record: scale 1, y = 0; two: mean 2, std 1; the constant feature maps to 0
            assertThat(out.get("a").get(0).values()).containsExactly(0.0, 0.0);
            assertThat(out.get("a").get(1).values()).containsExactly(1.0, 0.0);
            assertThat(out.get("b").get(0).values()).containsExactly(0.0, 0.0);
            ScalerStats a = scalerStats(harness, "a");
            assertThat(a.count()).isEqualTo(2);
            assertThat(a.attributes(ScalerParams.defaults()).get("var_")).containsExactly(1.0, 0.0);
        }
    }

    @Test
    void evalServesTheTableAndRejectsKeysWithoutStats() throws Exception {
        ScalerTable table =
                ScalerTable.of(
                        ScalerKind.MINMAX,
                        Map.of(
                                "a",
                                new ScalerTable.Entry(
                                        4,
                                        Map.of(
                                                "scale_",
                                                new double[] {0.5},
                                                "min_",
                                                new double[] {1}),
                                        null)));
        Normalization eval =
                Normalization.builder()
                        .setNorm(Norm.MINMAX)
                        .setMode(Mode.EVAL)
                        .setScalerTable(table)
                        .setScalerParams(ScalerParams.defaults().withMinMax(0, 2, true))
                        .build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.scaler(eval, null, Harnesses.Backend.HASHMAP)) {
            feed(harness, FeatureRecord.of("a", 0, 1));
            feed(harness, FeatureRecord.of("a", 1, 10));
            feed(harness, FeatureRecord.of("a", 2, 1, 2));
            feed(harness, FeatureRecord.of("b", 0, 1));
            assertThat(drainByKey(harness).get("a"))
                    .extracting(r -> r.values()[0])
                    .containsExactly(1.5, 2.0);
            List<DeadLetter> dead = deadLetters(harness);
            assertThat(dead)
                    .extracting(DeadLetter::error)
                    .containsExactly(ErrorCode.WRONG_LENGTH, ErrorCode.NO_STATS);
            assertThat(scalerStats(harness, "a")).isNull();
        }
    }

    @Test
    void evalChecksTheTableAtBuildTime() {
        ScalerTable noScale =
                ScalerTable.of(
                        ScalerKind.STANDARD,
                        Map.of(
                                "*",
                                new ScalerTable.Entry(3, Map.of("mean_", new double[] {1}), null)));
        assertThatThrownBy(
                        () ->
                                Normalization.builder()
                                        .setNorm(Norm.STANDARD)
                                        .setMode(Mode.EVAL)
                                        .setScalerTable(noScale)
                                        .build())
                .hasMessage("stats of key '*' cannot be served: \"scale_\" is missing");
        assertThatThrownBy(() -> scaler(Norm.ROBUST, Mode.EVAL))
                .hasMessage("eval mode needs statistics: --stats FILE or --from-savepoint PATH");
        assertThatThrownBy(
                        () ->
                                Normalization.builder()
                                        .setNorm(Norm.MAXABS)
                                        .setMode(Mode.EVAL)
                                        .setScalerTable(noScale)
                                        .build())
                .hasMessage("the stats are of the standard scaler, --norm is maxabs");
    }

    @Test
    void onlineForgetsWithTheMomentum() throws Exception {
        Normalization online =
                Normalization.builder()
                        .setNorm(Norm.MAXABS)
                        .setMode(Mode.ONLINE)
                        .setMomentum(Momentum.of(0.5))
                        .build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.scaler(online, null, Harnesses.Backend.HASHMAP)) {
            for (double x : new double[] {-8, 1, 3}) {
                feed(harness, FeatureRecord.of("a", 0, x));
            }
            // max_abs: 8, max(1, 4) = 4, max(3, 2) = 3
            assertThat(drainByKey(harness).get("a"))
                    .extracting(r -> r.values()[0])
                    .containsExactly(-1.0, 0.25, 1.0);
        }
    }

    @ParameterizedTest
    @EnumSource(Harnesses.Backend.class)
    void restoredStateContinuesExactlyAsAnUninterruptedRun(Harnesses.Backend backend)
            throws Exception {
        for (Norm norm : new Norm[] {Norm.STANDARD, Norm.MINMAX, Norm.MAXABS, Norm.ROBUST}) {
            Normalization config = scaler(norm, Mode.TRAIN);
            List<FeatureRecord> records = records(600);
            List<FeatureRecord> uninterrupted = run(config, records, null, backend);
            List<FeatureRecord> resumed = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> h =
                    Harnesses.scaler(config, null, backend)) {
                for (FeatureRecord r : records.subList(0, 300)) {
                    feed(h, r);
                }
                snapshot = h.snapshot(1, 1);
                resumed.addAll(h.extractOutputValues());
            }
            resumed.addAll(run(config, records.subList(300, 600), snapshot, backend));
            assertThat(resumed).as(norm.id()).hasSize(600);
            if (norm != Norm.ROBUST) {
                assertThat(resumed).as(norm.id()).isEqualTo(uninterrupted);
            } else {
                // a sketch past k values compacts at random: the same up to then
                assertThat(resumed.subList(0, 300)).isEqualTo(uninterrupted.subList(0, 300));
            }
        }
    }

    @Test
    void robustExactModeKeepsEveryValue() throws Exception {
        Normalization exact =
                Normalization.builder()
                        .setNorm(Norm.ROBUST)
                        .setMode(Mode.TRAIN)
                        .setRobustExact(true)
                        .build();
        assertThat(exact.describe()).isEqualTo("robust train quantile_range=25.0,75.0 exact");
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.scaler(exact, null, Harnesses.Backend.ROCKSDB)) {
            for (int i = 0; i < 2001; i++) {
                feed(harness, FeatureRecord.of("a", i, (i * 7919) % 2001));
            }
            // the values 0..2000: median 1000, percentiles 500 and 1500
            ScalerStats stats = scalerStats(harness, "a");
            assertThat(stats.attributes(ScalerParams.defaults()).get("center_"))
                    .containsExactly(1000.0);
            assertThat(stats.attributes(ScalerParams.defaults()).get("scale_"))
                    .containsExactly(1000.0);
        }
    }

    @Test
    void finalStatsAtTheEndOfInput() throws Exception {
        Normalization config =
                Normalization.builder()
                        .setNorm(Norm.MINMAX)
                        .setMode(Mode.TRAIN)
                        .setEmitFinalStats(true)
                        .build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.scaler(config, null, Harnesses.Backend.HASHMAP)) {
            feed(harness, FeatureRecord.of("a", 0, 1));
            feed(harness, FeatureRecord.of("a", 0, -2));
            feed(harness, FeatureRecord.of("b", 0, 7));
            harness.endInput();
            List<Tuple2<String, ScalerStats>> stats =
                    values(harness.getSideOutput(Normalization.FINAL_SCALER_STATS));
            assertThat(stats).extracting(t -> t.f0).containsExactlyInAnyOrder("a", "b");
            ScalerStats a = stats.stream().filter(t -> t.f0.equals("a")).findFirst().get().f1;
            assertThat(a.attributes(ScalerParams.defaults()).get("data_min_"))
                    .containsExactly(-2.0);
        }
    }

    private static List<FeatureRecord> run(
            Normalization config,
            List<FeatureRecord> records,
            OperatorSubtaskState restore,
            Harnesses.Backend backend)
            throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> h =
                Harnesses.scaler(config, restore, backend)) {
            for (FeatureRecord r : records) {
                feed(h, r);
            }
            return h.extractOutputValues();
        }
    }

    private static List<FeatureRecord> records(int n) {
        SplittableRandom random = new SplittableRandom(14);
        List<FeatureRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(
                    FeatureRecord.of(
                            "k" + random.nextInt(3),
                            i,
                            random.nextDouble() * 10,
                            1e9 + random.nextInt(5)));
        }
        return records;
    }
}
