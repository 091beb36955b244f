package dev.streamnorm.operators.internal;

import static dev.streamnorm.operators.internal.Harnesses.bits;
import static dev.streamnorm.operators.internal.Harnesses.deadLetters;
import static dev.streamnorm.operators.internal.Harnesses.drainByKey;
import static dev.streamnorm.operators.internal.Harnesses.feed;
import static dev.streamnorm.operators.internal.Harnesses.onlineMoments;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.ExponentialMoments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Online mode: per-record exponentially weighted stats per key. */
@SuppressWarnings("try")
class OnlineFunctionTest {
    private static final double ALPHA = 0.25;
    private static final double EPS = 1e-5;

    private static Normalization online() {
        return Normalization.builder()
                .setNorm(Norm.BATCH)
                .setMode(Mode.ONLINE)
                .setMomentum(Momentum.of(ALPHA))
                .setEps(EPS)
                .build();
    }

    @Test
    void updateThenNormalizePerKey() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(online())) {
            feed(harness, FeatureRecord.of("a", 0, 2, -4));
            feed(harness, FeatureRecord.of("b", 0, 100, 100));
            feed(harness, FeatureRecord.of("a", 1, 6, -4));
            Map<String, List<FeatureRecord>> out = drainByKey(harness);
            assertThat(out.get("a").get(0).values()).containsExactly(0.0, 0.0);
            assertThat(out.get("b").get(0).values()).containsExactly(0.0, 0.0);
            // d = 4: mean = 2 + α·4 = 3, var = (1 − α)·α·16 = 3; y = (6 − 3) / sqrt(3 + eps).
            Reference.assertNear(
                    out.get("a").get(1).values(), new double[] {3 / Math.sqrt(3 + EPS), 0});
            ExponentialMoments a = onlineMoments(harness, "a");
            assertThat(a.count()).isEqualTo(2);
            assertThat(a.mean(0)).isEqualTo(3.0);
            assertThat(a.variance(0)).isEqualTo(3.0);
            assertThat(a.variance(1)).isZero();
            assertThat(onlineMoments(harness, "b").count()).isEqualTo(1);
        }
    }

    @Test
    void badRecordsAreDeadLettersAndNeverTouchTheState() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(online())) {
            feed(harness, FeatureRecord.of("a", 0, 1, 2, 3));
            ExponentialMoments before = onlineMoments(harness, "a");
            feed(harness, FeatureRecord.of("a", 1, 1, 2));
            feed(harness, FeatureRecord.of("a", 2, 1, Double.NaN, 3));
            feed(harness, FeatureRecord.of("b", 0, 1, 2));
            feed(harness, FeatureRecord.of("a", 3, 1, 2, 4));
            List<DeadLetter> dead = deadLetters(harness);
            assertThat(dead)
                    .extracting(DeadLetter::error)
                    .containsExactly(ErrorCode.WRONG_LENGTH, ErrorCode.NON_FINITE);
            assertThat(dead.get(0).message())
                    .isEqualTo(
                            "expected 3 values (shape learned from the key's first record), got 2");
            assertThat(dead.get(1).message())
                    .isEqualTo("values[1] is NaN; only finite numbers are allowed");
            List<FeatureRecord> out = harness.extractOutputValues();
            assertThat(out).extracting(FeatureRecord::timestamp).containsExactly(0L, 0L, 3L);
            assertThat(out.size() + dead.size()).as("records in = out + dead letters").isEqualTo(5);
            ExponentialMoments after = onlineMoments(harness, "a");
            assertThat(after.count()).isEqualTo(before.count() + 1);
            assertThat(after.mean(2)).isEqualTo(3 + ALPHA);
        }
    }

    @Test
    void aKeyIdleForLongerThanTheStateTtlStartsAfresh() throws Exception {
        Normalization config =
                Normalization.builder()
                        .setMode(Mode.ONLINE)
                        .setMomentum(Momentum.of(ALPHA))
                        .setEps(EPS)
                        .setStateTtl(Duration.ofMinutes(1))
                        .build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            harness.setStateTtlProcessingTime(0);
            feed(harness, FeatureRecord.of("a", 0, 2, -4));
            harness.setStateTtlProcessingTime(59_000);
            feed(harness, FeatureRecord.of("a", 1, 6, -4));
            assertThat(onlineMoments(harness, "a").count()).isEqualTo(2);
            // Idle for more than a minute: the moments expired, the next record is a first one.
            harness.setStateTtlProcessingTime(59_000 + 60_001);
            assertThat(onlineMoments(harness, "a")).isNull();
            feed(harness, FeatureRecord.of("a", 2, 50, 50));
            List<FeatureRecord> out = harness.extractOutputValues();
            Reference.assertNear(out.get(1).values(), new double[] {3 / Math.sqrt(3 + EPS), 0});
            assertThat(out.get(2).values()).containsExactly(0.0, 0.0);
            assertThat(onlineMoments(harness, "a").count()).isEqualTo(1);
            assertThat(onlineMoments(harness, "a").mean(0)).isEqualTo(50.0);
        }
    }

    @ParameterizedTest
    @EnumSource(Harnesses.Backend.class)
    void snapshotAndRestoreContinueBitIdentically(Harnesses.Backend backend) throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        List<FeatureRecord> records = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            records.add(Reference.record("k" + random.nextInt(4), i, random, 5));
        }
        List<FeatureRecord> expected;
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(online(), null, backend)) {
            for (FeatureRecord record : records) {
                feed(harness, record);
            }
            expected = harness.extractOutputValues();
        }
        List<FeatureRecord> got = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(online(), null, backend)) {
            for (FeatureRecord record : records.subList(0, 31)) {
                feed(harness, record);
            }
            got.addAll(harness.extractOutputValues());
            snapshot = harness.snapshot(1, 1);
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(online(), snapshot, backend)) {
            for (FeatureRecord record : records.subList(31, records.size())) {
                feed(harness, record);
            }
            got.addAll(harness.extractOutputValues());
        }
        assertThat(got).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(bits(got.get(i).values())).isEqualTo(bits(expected.get(i).values()));
        }
    }
}
