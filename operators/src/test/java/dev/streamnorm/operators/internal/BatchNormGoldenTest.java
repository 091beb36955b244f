package dev.streamnorm.operators.internal;

import static dev.streamnorm.operators.internal.Harnesses.deadLetters;
import static dev.streamnorm.operators.internal.Harnesses.drainByKey;
import static dev.streamnorm.operators.internal.Harnesses.feed;
import static dev.streamnorm.operators.internal.Harnesses.runningStats;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.operators.Convention;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch norm (train and eval) against every golden {@code batchnorm} case with running stats, fed
 * as a keyed stream: three keys, records interleaved, each key's batch in its own order, and each
 * key must get exactly its golden outputs and running stats.
 *
 * <p>The golden eval batches that follow training run in a new harness in eval mode restored from a
 * snapshot of the train harness: the train job's state restarted in eval mode.
 */
@SuppressWarnings("try")
class BatchNormGoldenTest {
    private static final String[] KEYS = {"sensor-a", "sensor-b", "sensor-c"};

    /** How the golden batches are closed. */
    enum Flush {
        /** Huge batch size, 1 s timeout: each golden batch is flushed by processing time. */
        TIMEOUT,
        /** Batch size = the golden batch size (all training batches have the same size). */
        COUNT
    }

    static Stream<Golden> trainCases() {
        return Golden.cases(
                "batchnorm",
                g -> g.params.get("track_running_stats").asBoolean() && g.batches.get(0).training)
                .stream();
    }

    static Stream<Golden> constantBatchSizeCases() {
        return trainCases()
                .filter(
                        g ->
                                g.batches.stream()
                                                .filter(b -> b.training)
                                                .mapToInt(b -> b.input.size())
                                                .distinct()
                                                .count()
                                        == 1);
    }

    static Stream<Golden> evalOnlyCases() {
        return Golden.cases("batchnorm", g -> g.batches.stream().noneMatch(b -> b.training))
                .stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainCases")
    void trainBatchesFlushedByTimeoutThenEvalFromSnapshot(Golden golden) throws Exception {
        replay(golden, Flush.TIMEOUT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("constantBatchSizeCases")
    void trainCountBatchesThenEvalFromSnapshot(Golden golden) throws Exception {
        replay(golden, Flush.COUNT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evalOnlyCases")
    void evalWithPerKeyStatsTable(Golden golden) throws Exception {
        RunningStats stats = Golden.runningStats(golden.initialState);
        Map<String, RunningStats> table = new LinkedHashMap<>();
        for (String key : KEYS) {
            table.put(key, stats);
        }
        evalOnly(golden, StatsTable.of(table));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evalOnlyCases")
    void evalWithAnyKeyStatsTable(Golden golden) throws Exception {
        evalOnly(
                golden,
                StatsTable.of(
                        Map.of(StatsTable.ANY_KEY, Golden.runningStats(golden.initialState))));
    }

    private static void replay(Golden golden, Flush flush) throws Exception {
        Map<String, RunningStats> trained = new HashMap<>();
        OperatorSubtaskState snapshot;
        int batches = 0;
        long fed = 0;
        long emitted = 0;
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(trainConfig(golden, flush))) {
            long now = 0;
            harness.setProcessingTime(now);
            for (Golden.Batch batch : golden.batches) {
                if (!batch.training) {
                    continue;
                }
                fed += feedInterleaved(harness, batch);
                if (flush == Flush.TIMEOUT) {
                    assertThat(harness.extractOutputValues()).as("before the timeout").isEmpty();
                    now += 1000;
                    harness.setProcessingTime(now);
                }
                batches++;
                Map<String, List<FeatureRecord>> out = drainByKey(harness);
                for (int k = 0; k < KEYS.length; k++) {
                    emitted += assertOutputs(golden, batch, k, out.get(KEYS[k]));
                    RunningStats stats = runningStats(harness, KEYS[k]);
                    assertState(golden, batch.stateAfter, stats, batches);
                    trained.put(KEYS[k], stats);
                }
                assertThat(harness.numKeyedStateEntries())
                        .as("only the running stats remain after a batch")
                        .isEqualTo(KEYS.length);
                assertThat(harness.numProcessingTimeTimers()).isZero();
                assertThat(harness.numEventTimeTimers()).isZero();
            }
            assertThat(deadLetters(harness)).isEmpty();
            assertThat(emitted).as("records in = records out").isEqualTo(fed);
            snapshot = harness.snapshot(1L, now);
        }

        if (golden.batches.stream().allMatch(b -> b.training)) {
            return;
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> eval =
                Harnesses.keyed(evalConfig(golden), snapshot, Harnesses.Backend.HASHMAP)) {
            for (Golden.Batch batch : golden.batches) {
                if (batch.training) {
                    continue;
                }
                fed += feedInterleaved(eval, batch);
                Map<String, List<FeatureRecord>> out = drainByKey(eval);
                for (int k = 0; k < KEYS.length; k++) {
                    emitted += assertOutputs(golden, batch, k, out.get(KEYS[k]));
                    RunningStats stats = runningStats(eval, KEYS[k]);
                    assertThat(stats)
                            .as("eval leaves the state unchanged")
                            .isEqualTo(trained.get(KEYS[k]));
                    assertState(golden, batch.stateAfter, stats, batches);
                }
            }
            assertThat(eval.numKeyedStateEntries()).isEqualTo(KEYS.length);
            assertThat(deadLetters(eval)).isEmpty();
            assertThat(emitted).as("records in = records out").isEqualTo(fed);
        }
    }

    private static void evalOnly(Golden golden, StatsTable table) throws Exception {
        Normalization config =
                evalBuilder(golden).setInitialStats(table).setStatsFromSavepoint(false).build();
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                Harnesses.keyed(config)) {
            for (Golden.Batch batch : golden.batches) {
                long fed = feedInterleaved(harness, batch);
                Map<String, List<FeatureRecord>> out = drainByKey(harness);
                long emitted = 0;
                for (int k = 0; k < KEYS.length; k++) {
                    emitted += assertOutputs(golden, batch, k, out.get(KEYS[k]));
                }
                assertThat(emitted).isEqualTo(fed);
                assertThat(Golden.runningStats(batch.stateAfter))
                        .as("golden eval state is the initial state")
                        .isEqualTo(Golden.runningStats(golden.initialState));
            }
            assertThat(harness.numKeyedStateEntries()).as("eval never writes state").isZero();
            assertThat(deadLetters(harness)).isEmpty();
        }
    }

    /** The order in which key {@code k} gets the records of a batch of {@code n}. */
    private static int index(int k, int i, int n) {
        switch (k) {
            case 0:
                return i;
            case 1:
                return n - 1 - i;
            default:
                return (i + n / 2) % n;
        }
    }

    private static int feedInterleaved(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            Golden.Batch batch)
            throws Exception {
        int n = batch.input.size();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < KEYS.length; k++) {
                feed(harness, FeatureRecord.of(KEYS[k], i, batch.input.get(index(k, i, n))));
            }
        }
        return n * KEYS.length;
    }

    private static int assertOutputs(
            Golden golden, Golden.Batch batch, int k, List<FeatureRecord> got) {
        int n = batch.output.size();
        assertThat(got).as("%s: outputs of %s", golden, KEYS[k]).hasSize(n);
        for (int i = 0; i < n; i++) {
            golden.assertClose(
                    got.get(i).values(),
                    batch.output.get(index(k, i, n)),
                    KEYS[k] + " output " + index(k, i, n));
        }
        return n;
    }

    private static void assertState(
            Golden golden, JsonNode expected, RunningStats got, int trainingBatches) {
        assertThat(got).as("%s: running stats", golden).isNotNull();
        golden.assertClose(got.meanArray(), Golden.flat(expected.get("running_mean")), "mean");
        golden.assertClose(got.varianceArray(), Golden.flat(expected.get("running_var")), "var");
        JsonNode batches = expected.get("num_batches_tracked");
        long initial = Golden.runningStats(golden.initialState).numBatchesTracked();
        assertThat(got.numBatchesTracked())
                .as("%s: num_batches_tracked", golden)
                .isEqualTo(batches != null ? batches.asLong() : initial + trainingBatches);
    }

    private static boolean isKeras(Golden golden) {
        return golden.params.get("convention").asText().equals("keras");
    }

    private static Normalization trainConfig(Golden golden, Flush flush) {
        JsonNode momentum = golden.params.get("momentum");
        NormalizationBuilder builder =
                Normalization.builder()
                        .setNorm(Norm.BATCH)
                        .setMode(Mode.TRAIN)
                        .setShape(golden.is3d() ? golden.recordShape() : null)
                        .setEps(golden.eps())
                        .setAffine(golden.affine())
                        .setConvention(isKeras(golden) ? Convention.KERAS : Convention.PYTORCH)
                        .setMomentum(
                                momentum.isNull()
                                        ? Momentum.cumulative()
                                        : Momentum.of(momentum.asDouble()));
        if (!Golden.isDefaultState(golden.initialState)) {
            // One key has its own entry, the others start from the '*' entry.
            RunningStats initial = Golden.runningStats(golden.initialState);
            Map<String, RunningStats> table = new LinkedHashMap<>();
            table.put(KEYS[0], initial);
            table.put(StatsTable.ANY_KEY, initial);
            builder.setInitialStats(StatsTable.of(table));
        }
        if (flush == Flush.TIMEOUT) {
            builder.setBatchSize(1_000_000).setBatchTimeout(Duration.ofSeconds(1));
        } else {
            builder.setBatchSize(golden.batches.get(0).input.size()).setBatchTimeout(Duration.ZERO);
        }
        return builder.build();
    }

    private static NormalizationBuilder evalBuilder(Golden golden) {
        JsonNode momentum = golden.params.get("momentum");
        return Normalization.builder()
                .setNorm(Norm.BATCH)
                .setMode(Mode.EVAL)
                .setShape(golden.is3d() ? golden.recordShape() : null)
                .setEps(golden.eps())
                .setAffine(golden.affine())
                .setConvention(isKeras(golden) ? Convention.KERAS : Convention.PYTORCH)
                .setMomentum(momentum.isNull() ? null : Momentum.of(momentum.asDouble()));
    }

    private static Normalization evalConfig(Golden golden) {
        return evalBuilder(golden).setStatsFromSavepoint(true).build();
    }
}
