package dev.streamnorm.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layer norm over the whole record, group norm and instance norm against the golden cases whose
 * parameters map onto streamnorm's options.
 */
@SuppressWarnings("try")
class PerRecordGoldenTest {

    /** Layer norm cases whose {@code normalized_shape} is the whole record. */
    static Stream<Golden> layerCases() {
        return Golden.cases("layernorm", g -> coversWholeRecord(g)).stream();
    }

    private static boolean coversWholeRecord(Golden golden) {
        double[] normalized = Golden.flat(golden.params.get("normalized_shape"));
        if (normalized.length != golden.shape.length) {
            return false;
        }
        for (int i = 0; i < normalized.length; i++) {
            if (normalized[i] != golden.shape[i]) {
                return false;
            }
        }
        return true;
    }

    static Stream<Golden> groupCases() {
        return Golden.cases("groupnorm", g -> true).stream();
    }

    static Stream<Golden> instanceCases() {
        return Golden.cases("instancenorm", g -> true).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layerCases")
    void layerNorm(Golden golden) throws Exception {
        Normalization config =
                Normalization.builder()
                        .setNorm(Norm.LAYER)
                        .setShape(golden.recordShape())
                        .setEps(golden.eps())
                        .setAffine(golden.affine())
                        .build();
        replay(golden, config);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groupCases")
    void groupNorm(Golden golden) throws Exception {
        Normalization config =
                Normalization.builder()
                        .setNorm(Norm.GROUP)
                        .setShape(golden.recordShape())
                        .setGroups(golden.params.get("num_groups").asInt())
                        .setEps(golden.eps())
                        .setAffine(golden.affine())
                        .build();
        replay(golden, config);
    }

    /**
     * Instance norm: every training batch (instance statistics); eval batches of cases with running
     * stats use those stats, which the streaming operator does not keep (see DESIGN §2).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("instanceCases")
    void instanceNorm(Golden golden) throws Exception {
        Normalization config =
                Normalization.builder()
                        .setNorm(Norm.INSTANCE)
                        .setShape(golden.recordShape())
                        .setEps(golden.eps())
                        .setAffine(golden.affine())
                        .build();
        replay(golden, config);
    }

    private static void replay(Golden golden, Normalization config) throws Exception {
        try (OneInputStreamOperatorTestHarness<FeatureRecord, FeatureRecord> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new PerRecordNormFunction(config))) {
            int fed = 0;
            for (Golden.Batch batch : golden.batches) {
                boolean runningStats =
                        golden.op.equals("instancenorm")
                                && !batch.training
                                && golden.params.get("track_running_stats").asBoolean();
                if (runningStats) {
                    continue;
                }
                for (int i = 0; i < batch.input.size(); i++) {
                    harness.processElement(
                            FeatureRecord.of("k" + (i % 3), fed + i, batch.input.get(i).clone()),
                            0L);
                }
                List<FeatureRecord> out = harness.extractOutputValues();
                assertThat(out).hasSize(batch.output.size());
                for (int i = 0; i < out.size(); i++) {
                    assertThat(out.get(i).timestamp()).isEqualTo(fed + i);
                    assertThat(out.get(i).key()).isEqualTo("k" + (i % 3));
                    golden.assertClose(out.get(i).values(), batch.output.get(i), "output " + i);
                }
                fed += batch.input.size();
                harness.getOutput().clear();
            }
            assertThat(fed).isPositive();
            assertThat(harness.getSideOutput(Normalization.DEAD_LETTERS)).isNullOrEmpty();
        }
    }
}
