package dev.streamnorm.operators.internal.global;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.Scope;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Stage 1 of global scope: batch tags, partial moments per batch, late and bad records. */
class PartialMomentsOperatorTest {
    static final RecordShape SHAPE = RecordShape.vector(2);

    static Normalization config() {
        return Normalization.builder()
                .setMode(Mode.TRAIN)
                .setShape(SHAPE)
                .setBatchInterval(Duration.ofMillis(100))
                .setEmitFinalStats(true)
                .setScope(Scope.GLOBAL)
                .build();
    }

    private static OneInputStreamOperatorTestHarness<FeatureRecord, Tuple2<Long, FeatureRecord>>
            harness(@Nullable OperatorSubtaskState restore) throws Exception {
        OneInputStreamOperatorTestHarness<FeatureRecord, Tuple2<Long, FeatureRecord>> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new PartialMomentsOperator(config(), SHAPE), 2, 2, 1);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    private static void feed(
            OneInputStreamOperatorTestHarness<FeatureRecord, Tuple2<Long, FeatureRecord>> harness,
            long time,
            double... values)
            throws Exception {
        harness.processElement(FeatureRecord.of("k", time, values), time);
    }

    /** The batch tags of the records passed on so far. */
    private static List<Long> tags(
            OneInputStreamOperatorTestHarness<FeatureRecord, Tuple2<Long, FeatureRecord>> harness) {
        List<Long> tags = new ArrayList<>();
        for (Tuple2<Long, FeatureRecord> out : harness.extractOutputValues()) {
            tags.add(out.f0);
        }
        return tags;
    }

    private static List<Tuple3<Long, Integer, ChannelMoments>> partials(
            OneInputStreamOperatorTestHarness<FeatureRecord, Tuple2<Long, FeatureRecord>> harness) {
        List<Tuple3<Long, Integer, ChannelMoments>> partials = new ArrayList<>();
        java.util.Queue<StreamRecord<Tuple3<Long, Integer, ChannelMoments>>> queue =
                harness.getSideOutput(PartialMomentsOperator.PARTIALS);
        if (queue != null) {
            for (StreamRecord<Tuple3<Long, Integer, ChannelMoments>> record : queue) {
                partials.add(record.getValue());
            }
        }
        return partials;
    }

    private static ChannelMoments moments(double[]... records) {
        ChannelMoments moments = new ChannelMoments(SHAPE.channels());
        for (double[] record : records) {
            moments.acceptRecord(record, SHAPE);
        }
        return moments;
    }

    @Test
    void tagsRecordsAndSendsEachBatchsPartialWhenTheWatermarkPassesIt() throws Exception {
        try (OneInputStreamOperatorTestHarness<FeatureRecord, Tuple2<Long, FeatureRecord>> harness =
                harness(null)) {
            feed(harness, 10, 1, 2);
            feed(harness, 120, 5, 6);
            feed(harness, 99, 3, 4);
            feed(harness, 50, Double.NaN, 1);
            feed(harness, -30, 7, 8);
            assertThat(tags(harness)).containsExactly(0L, 100L, 0L, GlobalMessages.BAD, -100L);
            harness.processWatermark(98);
            assertThat(partials(harness)).extracting(p -> p.f0).containsExactly(-100L);
            harness.processWatermark(99);
            assertThat(partials(harness))
                    .containsExactly(
                            Tuple3.of(-100L, 1, moments(new double[] {7, 8})),
                            Tuple3.of(0L, 1, moments(new double[] {1, 2}, new double[] {3, 4})));
            assertThat(harness.getOutput()).contains(new Watermark(98), new Watermark(99));
            feed(harness, 42, 9, 9);
            assertThat(tags(harness)).last().isEqualTo(GlobalMessages.LATE);
        }
    }

    @Test
    void openBatchesAndTheWatermarkSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<FeatureRecord, Tuple2<Long, FeatureRecord>> harness =
                harness(null)) {
            feed(harness, 50, 1, 2);
            feed(harness, 150, 3, 4);
            harness.processWatermark(120);
            assertThat(partials(harness)).hasSize(1);
            snapshot = harness.snapshot(1, 1);
        }
        try (OneInputStreamOperatorTestHarness<FeatureRecord, Tuple2<Long, FeatureRecord>>
                restored = harness(snapshot)) {
            // Batch [0, 100) closed before the checkpoint: its records stay late after a restore
            // (the source replays them, and its watermark is not restored with it).
            feed(restored, 60, 9, 9);
            feed(restored, 170, 5, 1);
            assertThat(tags(restored)).containsExactly(GlobalMessages.LATE, 100L);
            restored.processWatermark(199);
            assertThat(partials(restored))
                    .containsExactly(
                            Tuple3.of(100L, 1, moments(new double[] {3, 4}, new double[] {5, 1})));
        }
    }
}
