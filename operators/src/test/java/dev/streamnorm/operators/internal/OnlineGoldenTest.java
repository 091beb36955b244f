package dev.streamnorm.operators.internal;

import static dev.streamnorm.operators.internal.Harnesses.deadLetters;
import static dev.streamnorm.operators.internal.Harnesses.drainByKey;
import static dev.streamnorm.operators.internal.Harnesses.feed;
import static dev.streamnorm.operators.internal.Harnesses.onlineMoments;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.ExponentialMoments;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Online mode against the golden {@code ema_standardizer} cases of order {@code
 * update_then_transform}: three keys each get the whole golden sequence, interleaved with a phase
 * shift, and each key must get exactly the golden outputs and exponentially weighted moments.
 */
@SuppressWarnings("try")
class OnlineGoldenTest {
    private static final String[] KEYS = {"a", "b", "c"};

    /** Key k starts k * SHIFT records after key 0, so the keys' sequences interleave unevenly. */
    private static final int SHIFT = 3;

    static Stream<Golden> cases() {
        return Golden.cases(
                "ema_standardizer",
                g -> g.params.get("order").asText().equals("update_then_transform"))
                .stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyKeyFollowsTheGoldenSequence(Golden golden) throws Exception {
        Normalization config =
                Normalization.builder()
                        .setNorm(Norm.BATCH)
                        .setMode(Mode.ONLINE)
                        .setShape(golden.is3d() ? golden.recordShape() : null)
                        .setMomentum(Momentum.of(golden.params.get("alpha").asDouble()))
                        .setEps(golden.eps())
                        .build();
        List<double[]> inputs = new ArrayList<>();
        List<double[]> outputs = new ArrayList<>();
        for (Golden.Batch batch : golden.batches) {
            inputs.addAll(batch.input);
            outputs.addAll(batch.output);
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            int n = inputs.size();
            int[] batchEnds = new int[golden.batches.size()];
            for (int b = 0, end = 0; b < batchEnds.length; b++) {
                end += golden.batches.get(b).input.size();
                batchEnds[b] = end;
            }
            int[] next = new int[KEYS.length];
            int[] batch = new int[KEYS.length];
            for (int step = 0; step < n + SHIFT * (KEYS.length - 1); step++) {
                for (int k = 0; k < KEYS.length; k++) {
                    if (step < k * SHIFT || next[k] == n) {
                        continue;
                    }
                    feed(harness, FeatureRecord.of(KEYS[k], next[k], inputs.get(next[k])));
                    next[k]++;
                    if (next[k] == batchEnds[batch[k]]) {
                        // The key has seen this golden batch: its state must be the golden one.
                        assertMoments(golden, golden.batches.get(batch[k]), harness, KEYS[k]);
                        batch[k]++;
                    }
                }
            }
            Map<String, List<FeatureRecord>> out = drainByKey(harness);
            for (String key : KEYS) {
                List<FeatureRecord> got = out.get(key);
                assertThat(got).hasSize(n);
                for (int i = 0; i < n; i++) {
                    assertThat(got.get(i).timestamp()).isEqualTo(i);
                    golden.assertClose(got.get(i).values(), outputs.get(i), key + " output " + i);
                }
            }
            assertThat(deadLetters(harness)).isEmpty();
            assertThat(harness.numKeyedStateEntries())
                    .as("moments per key (running stats are not used online)")
                    .isEqualTo(KEYS.length);
        }
    }

    private static void assertMoments(
            Golden golden,
            Golden.Batch batch,
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key)
            throws Exception {
        ExponentialMoments moments = onlineMoments(harness, key);
        assertThat(moments).isNotNull();
        assertThat(moments.count()).isEqualTo(batch.stateAfter.get("count").asLong());
        double[] mean = new double[moments.size()];
        double[] variance = new double[moments.size()];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = moments.mean(i);
            variance[i] = moments.variance(i);
        }
        golden.assertClose(mean, Golden.flat(batch.stateAfter.get("ew_mean")), key + " ew_mean");
        golden.assertClose(variance, Golden.flat(batch.stateAfter.get("ew_var")), key + " ew_var");
    }
}
