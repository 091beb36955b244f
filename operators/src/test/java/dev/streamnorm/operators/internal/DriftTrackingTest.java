package dev.streamnorm.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.operators.DriftSettings;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.DriftStats;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.annotation.Nullable;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Eval mode with {@code --drift}: drift records per key and interval, and at end of input. */
@SuppressWarnings("try")
class DriftTrackingTest {
    private static final double EPS = 1e-5;
    private static final double M = 0.05;
    private static final RunningStats SERVED_A =
            RunningStats.of(new double[] {1, -2}, new double[] {4, 0.5}, 7);
    private static final RunningStats STAR =
            RunningStats.of(new double[] {0, 0}, new double[] {1, 1}, 3);

    private static Normalization eval(@Nullable DriftSettings drift) {
        Map<String, RunningStats> table = new LinkedHashMap<>();
        table.put("a", SERVED_A);
        table.put(StatsTable.ANY_KEY, STAR);
        return Normalization.builder()
                .setMode(Mode.EVAL)
                .setEps(EPS)
                .setInitialStats(StatsTable.of(table))
                .setDrift(drift)
                .build();
    }

    private static DriftSettings every10ms() {
        return DriftSettings.of(Duration.ofMillis(10), M, 3.0, 0.25);
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key,
            long ts,
            double... values)
            throws Exception {
        harness.processElement(new StreamRecord<>(FeatureRecord.of(key, ts, values), ts));
    }

    private static List<DriftReport> drift(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness) {
        return Harnesses.values(harness.getSideOutput(DriftReport.SIDE_OUTPUT));
    }

    /** The drift stats of {@code rows} (values) fed straight into {@link DriftStats}. */
    private static DriftStats direct(RunningStats served, double[]... rows) {
        DriftStats stats = new DriftStats(served.channels());
        for (double[] row : rows) {
            stats.accept(row.clone(), 1, served, EPS, M);
        }
        return stats;
    }

    /** The drift record of {@code stats}, its alert from the thresholds 3 and 0.25. */
    private static DriftReport report(String key, long ts, DriftStats stats) {
        boolean alert =
                Math.abs(stats.shift(stats.worstShiftChannel())) >= 3.0
                        || stats.psi(stats.maxPsiChannel()) >= 0.25;
        return new DriftReport(key, ts, "initial", alert, stats);
    }

    @Test
    void anIntervalClosesOnTheKeysNextIntervalOrTheWatermarkAndEveryKeyEndsWithAFinalRecord()
            throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(eval(every10ms()))) {
            feed(harness, "a", 1, 1.5, -2.5);
            feed(harness, "a", 5, 0.5, -1.0);
            feed(harness, "b", 3, 4.0, 4.0);
            assertThat(drift(harness)).isEmpty();
            feed(harness, "a", 12, 2.0, -3.0); // a's first record of [10, 20) closes [0, 10)
            assertThat(drift(harness))
                    .containsExactly(
                            report(
                                    "a",
                                    10,
                                    direct(
                                            SERVED_A,
                                            new double[] {1.5, -2.5},
                                            new double[] {0.5, -1.0})));
            harness.getSideOutput(DriftReport.SIDE_OUTPUT).clear();

            harness.processWatermark(new Watermark(9)); // closes b's [0, 10), not a's [10, 20)
            DriftStats ofB = direct(STAR, new double[] {4.0, 4.0});
            assertThat(drift(harness)).containsExactly(report("b", 10, ofB));
            harness.getSideOutput(DriftReport.SIDE_OUTPUT).clear();

            harness.processWatermark(Watermark.MAX_WATERMARK);
            DriftStats ofA =
                    direct(
                            SERVED_A,
                            new double[] {1.5, -2.5},
                            new double[] {0.5, -1.0},
                            new double[] {2.0, -3.0});
            assertThat(drift(harness))
                    .containsExactlyInAnyOrder(
                            report("a", 20, ofA), report("a", 12, ofA), report("b", 3, ofB));
            // The outputs are the inputs normalized, drift or not.
            assertThat(harness.extractOutputValues()).hasSize(4);
        }
    }

    @Test
    void withoutAnIntervalEachKeyReportsOnceAtTheEndOfInput() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(eval(DriftSettings.defaults()))) {
            feed(harness, "a", 1, 1.0, 1.0);
            feed(harness, "a", 50_000, 2.0, 2.0);
            harness.processWatermark(new Watermark(100_000));
            assertThat(drift(harness)).isEmpty();
            harness.processWatermark(Watermark.MAX_WATERMARK);
            assertThat(drift(harness)).hasSize(1);
            DriftReport last = drift(harness).get(0);
            assertThat(last.timestamp()).isEqualTo(50_000);
            assertThat(last.stats().records()).isEqualTo(2);
        }
    }

    @Test
    void aReplayFromACheckpointEmitsTheSameRecords() throws Exception {
        List<FeatureRecord> input = shiftedInput(new Random(7), 400);
        List<DriftReport> uninterrupted;
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(eval(every10ms()))) {
            run(harness, input, 0, input.size());
            uninterrupted = drift(harness);
        }
        OperatorSubtaskState snapshot;
        List<DriftReport> resumed;
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(eval(every10ms()))) {
            run(harness, input, 0, 150);
            resumed = new ArrayList<>(drift(harness));
            snapshot = harness.snapshot(1, 1);
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(eval(every10ms()), snapshot, Harnesses.Backend.HASHMAP)) {
            run(harness, input, 150, input.size());
            resumed.addAll(drift(harness));
        }
        assertThat(resumed).isEqualTo(uninterrupted);
        assertThat(uninterrupted.stream().filter(r -> r.key().equals("c")).count()).isEqualTo(41);
    }

    @Test
    void onlyTheDriftingKeyAlertsAndTheMetricsSayHowMany() throws Exception {
        try (Harnesses.Metrics metrics = new Harnesses.Metrics();
                KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord>
                        harness = Harnesses.keyed(eval(DriftSettings.defaults()), metrics)) {
            for (FeatureRecord record : shiftedInput(new Random(8), 3000)) {
                harness.processElement(new StreamRecord<>(record, record.timestamp()));
            }
            harness.processWatermark(Watermark.MAX_WATERMARK);
            Map<String, Boolean> alerts = new LinkedHashMap<>();
            for (DriftReport report : drift(harness)) {
                alerts.put(report.key(), report.alert());
            }
            assertThat(alerts).containsOnly(Map.entry("c", true), Map.entry("d", false));
            assertThat(metrics.count("driftRecords")).isEqualTo(2);
            assertThat(metrics.<Integer>gauge("driftKeysInAlert")).isEqualTo(1);
            assertThat(metrics.<Double>gauge("driftMaxAbsShift")).isGreaterThan(3.0);
        }
    }

    @Test
    void withoutDriftNothingIsKeptOrScheduled() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(eval(null))) {
            run(harness, shiftedInput(new Random(9), 100), 0, 100);
            assertThat(harness.getSideOutput(DriftReport.SIDE_OUTPUT)).isNull();
            assertThat(Harnesses.keysWithState(harness, "drift-stats")).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    /**
     * Keys c and d served by {@code *} (mean 0, var 1), one record each per ms; c's first feature
     * moves to mean 5 halfway.
     */
    private static List<FeatureRecord> shiftedInput(Random random, int records) {
        List<FeatureRecord> input = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            double shift = i >= records / 2 ? 5 : 0;
            input.add(
                    FeatureRecord.of("c", i, random.nextGaussian() + shift, random.nextGaussian()));
            input.add(FeatureRecord.of("d", i, random.nextGaussian(), random.nextGaussian()));
        }
        return input;
    }

    /** Feeds records {@code from..to} of {@code input} with a watermark every 25 records. */
    private static void run(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            List<FeatureRecord> input,
            int from,
            int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            FeatureRecord record = input.get(i).copy();
            harness.processElement(new StreamRecord<>(record, record.timestamp()));
            if (i % 25 == 24) {
                harness.processWatermark(new Watermark(record.timestamp() - 3));
            }
        }
        if (to == input.size()) {
            harness.processWatermark(Watermark.MAX_WATERMARK);
        }
    }
}
