package dev.streamnorm.operators.internal;

import static dev.streamnorm.operators.internal.Harnesses.feed;
import static dev.streamnorm.operators.internal.Harnesses.scalerStats;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden scaler cases (golden/scalers) through the keyed scaler operator: training batches in
 * train mode, eval batches in eval mode restored from a snapshot of the training state (as a train
 * job's savepoint restarted in eval mode), outputs and fitted attributes within each case's
 * tolerance.
 */
@SuppressWarnings("try")
class ScalerGoldenTest {
    private static final String KEY = "k";

    static Stream<Golden> cases() {
        return Stream.of("standard_scaler", "minmax_scaler", "maxabs_scaler", "robust_scaler")
                .flatMap(op -> Golden.cases(op, g -> true).stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheExactReference(Golden golden) throws Exception {
        Norm norm = Norm.valueOf(golden.op.replace("_scaler", "").toUpperCase());
        ScalerParams params = params(golden.params);
        Normalization train =
                Normalization.builder()
                        .setNorm(norm)
                        .setMode(Mode.TRAIN)
                        .setScalerParams(params)
                        .build();
        Normalization eval =
                Normalization.builder()
                        .setNorm(norm)
                        .setMode(Mode.EVAL)
                        .setScalerParams(params)
                        .setStatsFromSavepoint(true)
                        .build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> h =
                Harnesses.scaler(train, null, Harnesses.Backend.HASHMAP)) {
            int b = 0;
            for (Golden.Batch batch : golden.batches) {
                List<FeatureRecord> out;
                if (batch.training) {
                    out = run(h, batch);
                } else {
                    OperatorSubtaskState snapshot = h.snapshot(b, b);
                    try (KeyedOneInputStreamOperatorTestHarness<
                                    String, FeatureRecord, FeatureRecord>
                            frozen = Harnesses.scaler(eval, snapshot, Harnesses.Backend.HASHMAP)) {
                        out = run(frozen, batch);
                    }
                }
                assertThat(out).hasSameSizeAs(batch.output);
                for (int r = 0; r < out.size(); r++) {
                    assertClose(
                            "batch " + b + " output " + r,
                            out.get(r).values(),
                            batch.output.get(r),
                            golden);
                }
                assertState("batch " + b, scalerStats(h, KEY), params, batch.stateAfter, golden);
                b++;
            }
        }
    }

    /** The case's scikit-learn parameters (every one present, as the generator writes them). */
    private static ScalerParams params(JsonNode p) {
        ScalerParams params = ScalerParams.defaults();
        if (p.has("with_mean")) {
            params =
                    params.withStandard(
                            p.get("with_mean").asBoolean(), p.get("with_std").asBoolean());
        }
        if (p.has("feature_range")) {
            params =
                    params.withMinMax(
                            p.get("feature_range").get(0).asDouble(),
                            p.get("feature_range").get(1).asDouble(),
                            p.get("clip").asBoolean());
        }
        if (p.has("quantile_range")) {
            params =
                    params.withRobust(
                            p.get("with_centering").asBoolean(),
                            p.get("with_scaling").asBoolean(),
                            p.get("quantile_range").get(0).asDouble(),
                            p.get("quantile_range").get(1).asDouble(),
                            p.get("unit_variance").asBoolean());
        }
        return params;
    }

    private static List<FeatureRecord> run(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> h,
            Golden.Batch batch)
            throws Exception {
        for (double[] x : batch.input) {
            feed(h, FeatureRecord.of(KEY, 0, x.clone()));
        }
        List<FeatureRecord> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        assertThat(Harnesses.deadLetters(h)).isEmpty();
        return out;
    }

    private static void assertState(
            String where,
            ScalerStats stats,
            ScalerParams params,
            JsonNode expected,
            Golden golden) {
        Map<String, double[]> attributes = stats.attributes(params);
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(ScalerStats.N_SAMPLES_SEEN)) {
                assertThat(stats.count()).as(where).isEqualTo(e.getValue().asLong());
            } else {
                assertThat(attributes).as(where).containsKey(e.getKey());
                assertClose(
                        where + " " + e.getKey(),
                        attributes.get(e.getKey()),
                        Golden.flat(e.getValue()),
                        golden);
            }
        }
    }

    private static void assertClose(String where, double[] got, double[] expected, Golden golden) {
        assertThat(got).as(where).hasSameSizeAs(expected);
        for (int i = 0; i < got.length; i++) {
            double bound = golden.abs + golden.rel * Math.abs(expected[i]);
            assertThat(Math.abs(got[i] - expected[i]))
                    .as("%s[%s]: got %s, expected %s", where, i, got[i], expected[i])
                    .isLessThanOrEqualTo(bound);
        }
    }
}
