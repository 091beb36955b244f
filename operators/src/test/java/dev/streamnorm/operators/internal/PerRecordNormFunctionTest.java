package dev.streamnorm.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Layer, group, instance and l2 norm: each record on its own; bad records are dead letters. */
@SuppressWarnings("try")
class PerRecordNormFunctionTest {

    private static OneInputStreamOperatorTestHarness<FeatureRecord, FeatureRecord> harness(
            Normalization config) throws Exception {
        return ProcessFunctionTestHarnesses.forProcessFunction(new PerRecordNormFunction(config));
    }

    private static List<DeadLetter> deadLetters(
            OneInputStreamOperatorTestHarness<FeatureRecord, FeatureRecord> harness) {
        return Harnesses.values(harness.getSideOutput(Normalization.DEAD_LETTERS));
    }

    @Test
    void l2NormDividesByTheEuclideanNorm() throws Exception {
        Normalization config = Normalization.builder().setNorm(Norm.L2).setEps(1e-12).build();
        try (OneInputStreamOperatorTestHarness<FeatureRecord, FeatureRecord> harness =
                harness(config)) {
            harness.processElement(FeatureRecord.of("a", 0, 3, -4), 0);
            harness.processElement(FeatureRecord.of("a", 1, 0, 0, 0), 0);
            harness.processElement(FeatureRecord.of("b", 2, 1e200, 1e200), 0);
            harness.processElement(FeatureRecord.of("b", 3, 1, Double.POSITIVE_INFINITY), 0);
            List<FeatureRecord> out = harness.extractOutputValues();
            assertThat(out).hasSize(3);
            assertThat(out.get(0).values())
                    .containsExactly(new double[] {0.6, -0.8}, within(1e-16));
            assertThat(out.get(1).values()).containsExactly(0.0, 0.0, 0.0);
            double half = Math.sqrt(0.5);
            assertThat(out.get(2).values())
                    .containsExactly(new double[] {half, half}, within(1e-15));
            assertThat(deadLetters(harness))
                    .extracting(DeadLetter::error)
                    .containsExactly(ErrorCode.NON_FINITE);
            assertThat(out.size() + deadLetters(harness).size())
                    .as("records in = records out + dead letters")
                    .isEqualTo(4);
        }
    }

    @Test
    void layerNormWithoutShapeTakesAnyLength() throws Exception {
        Normalization config = Normalization.builder().setNorm(Norm.LAYER).setEps(0.0).build();
        try (OneInputStreamOperatorTestHarness<FeatureRecord, FeatureRecord> harness =
                harness(config)) {
            harness.processElement(FeatureRecord.of("a", 0, 1, 3), 0);
            harness.processElement(FeatureRecord.of("a", 1, 2, 2, 2, 6), 0);
            harness.processElement(FeatureRecord.of("a", 2, 5, 5), 0);
            List<FeatureRecord> out = harness.extractOutputValues();
            assertThat(out.get(0).values()).containsExactly(-1.0, 1.0);
            // mean 3, biased variance (1 + 1 + 1 + 9) / 4 = 3.
            double s = 1 / Math.sqrt(3);
            assertThat(out.get(1).values())
                    .containsExactly(new double[] {-s, -s, -s, 3 * s}, within(1e-15));
            assertThat(out.get(2).values())
                    .as("a constant record maps to the bias")
                    .containsExactly(0.0, 0.0);
            assertThat(deadLetters(harness)).isEmpty();
        }
    }

    @Test
    void theConfiguredShapeOrTheAffineFixesTheLength() throws Exception {
        Normalization group =
                Normalization.builder()
                        .setNorm(Norm.GROUP)
                        .setGroups(2)
                        .setShape(RecordShape.of(4, 2))
                        .build();
        Normalization layer =
                Normalization.builder()
                        .setNorm(Norm.LAYER)
                        .setAffine(Affine.of(new double[] {1, 2, 3}, null))
                        .build();
        try (OneInputStreamOperatorTestHarness<FeatureRecord, FeatureRecord> harness =
                harness(group)) {
            harness.processElement(FeatureRecord.of("a", 0, 1, 2, 3, 4, 5, 6, 7), 0);
            harness.processElement(FeatureRecord.of("a", 1, 1, 1, 1, 1, 5, 5, 5, 9), 0);
            assertThat(deadLetters(harness))
                    .extracting(DeadLetter::message)
                    .containsExactly("expected 8 values (shape 4x2), got 7");
            // Group 0 is constant; group 1 = {5, 5, 5, 9}: mean 6, variance 3.
            double s = 1 / Math.sqrt(3 + 1e-5);
            assertThat(harness.extractOutputValues().get(0).values())
                    .containsExactly(new double[] {0, 0, 0, 0, -s, -s, -s, 3 * s}, within(1e-15));
        }
        try (OneInputStreamOperatorTestHarness<FeatureRecord, FeatureRecord> harness =
                harness(layer)) {
            harness.processElement(FeatureRecord.of("a", 0, 1, 2), 0);
            harness.processElement(FeatureRecord.of("a", 1, 1, 2, 3), 0);
            assertThat(deadLetters(harness))
                    .extracting(DeadLetter::message)
                    .containsExactly("expected 3 values (shape of the affine), got 2");
            assertThat(harness.extractOutputValues()).hasSize(1);
        }
    }
}
