package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RunningStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eval mode following a stats-update topic: every output record carries the version that the rule
 * picks for its event time (latest update effective at or before it; the key's own entry, else
 * {@code *}, else a {@code no-stats} dead letter) and is normalized with that version's stats; a
 * run with a failure and restart in the middle gives exactly the output of a failure-free run.
 */
class StatsHotSwapITCase {
    private static final int RECORDS = 2_000;
    private static final int KEYS = 4;
    private static final long STEP_MS = 10;
    private static final long BASE = FeatureData.BASE_TS;
    private static final double EPS = 1e-5;
    private static final String INPUT = "hs-input";
    private static final String UPDATES = "hs-stats-updates";

    private static final RunningStats INITIAL =
            RunningStats.of(new double[] {0, 1}, new double[] {1, 4}, 1);
    private static final long V1_FROM = BASE + 5_000;
    private static final RunningStats V1_K0 =
            RunningStats.of(new double[] {0.5, -1}, new double[] {2, 0.5}, 2);
    private static final RunningStats V1_STAR =
            RunningStats.of(new double[] {-0.25, 2}, new double[] {0.75, 9}, 3);

    /** Published without a version: it is named by its place in the topic, partition 0 offset 2. */
    private static final long V2_FROM = BASE + 12_000;

    private static final String V2 = "0-2";
    private static final RunningStats V2_K1 =
            RunningStats.of(new double[] {1, 1}, new double[] {3, 3}, 4);
    private static final RunningStats V2_K2 =
            RunningStats.of(new double[] {-1, 0}, new double[] {0.1, 1}, 5);

    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicLong SEEN = new AtomicLong();

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /**
     * Slows the raw records down (so that checkpoints complete while they flow) and throws once,
     * half-way through the input, after a checkpoint has completed.
     */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<RawRecord, RawRecord>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;

        @Override
        public RawRecord map(RawRecord raw) throws Exception {
            Thread.sleep(1);
            if (SEEN.incrementAndGet() >= RECORDS / 2
                    && CHECKPOINTED.get()
                    && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("forced failure after " + SEEN + " messages");
            }
            return raw;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    private static String key(long id) {
        return "k" + (id % KEYS);
    }

    private static long timestamp(long id) {
        return BASE + id * STEP_MS;
    }

    private static double[] values(long id) {
        return new double[] {Math.sin(id), 3 * Math.cos(id) + id % 7};
    }

    private static List<FeatureData.Input> records() {
        List<FeatureData.Input> inputs = new ArrayList<>();
        for (long id = 0; id < RECORDS; id++) {
            double[] x = values(id);
            String payload =
                    String.format(
                            Locale.ROOT,
                            "{\"id\": %d, \"key\": \"%s\", \"ts\": %d, \"values\": [%s, %s]}",
                            id,
                            key(id),
                            timestamp(id),
                            Double.toString(x[0]),
                            Double.toString(x[1]));
            inputs.add(
                    new FeatureData.Input(
                            id,
                            key(id),
                            payload.getBytes(StandardCharsets.UTF_8),
                            null,
                            "clean",
                            x));
        }
        return inputs;
    }

    private static String entry(RunningStats s) {
        return String.format(
                Locale.ROOT,
                "{\"running_mean\": [%s, %s], \"running_var\": [%s, %s], \"num_batches_tracked\": %d}",
                s.mean(0),
                s.mean(1),
                s.variance(0),
                s.variance(1),
                s.numBatchesTracked());
    }

    private static FeatureData.Input update(long id, String json) {
        return new FeatureData.Input(
                id, "update", json.getBytes(StandardCharsets.UTF_8), null, "update", new double[0]);
    }

    /** v1 (with a version), an unusable message, then an update without version. */
    private static List<FeatureData.Input> updates() {
        String v1 =
                "{\"format\": \"streamnorm.stats/v1\", \"version\": \"v1\", \"effective_from\": "
                        + V1_FROM
                        + ", \"keys\": {\"k0\": "
                        + entry(V1_K0)
                        + ", \"*\": "
                        + entry(V1_STAR)
                        + "}}";
        String v2 =
                "{\"format\": \"streamnorm.stats/v1\", \"effective_from\": "
                        + V2_FROM
                        + ", \"keys\": {\"k1\": "
                        + entry(V2_K1)
                        + ", \"k2\": "
                        + entry(V2_K2)
                        + "}}";
        return List.of(update(0, v1), update(1, "{\"format\": \"nope\"}"), update(2, v2));
    }

    /** The version the rule picks for record {@code id}, and its stats (null: no stats). */
    private static Map.Entry<String, RunningStats> expectedStats(long id) {
        long t = timestamp(id);
        String key = key(id);
        if (t < V1_FROM) {
            return Map.entry("initial", INITIAL);
        }
        if (t < V2_FROM) {
            return Map.entry("v1", key.equals("k0") ? V1_K0 : V1_STAR);
        }
        RunningStats own = key.equals("k1") ? V2_K1 : key.equals("k2") ? V2_K2 : null;
        return own == null ? null : Map.entry(V2, own);
    }

    private static JobConfig config(String name) {
        Normalization eval =
                Normalization.builder()
                        .setMode(Mode.EVAL)
                        .setInitialStats(StatsTable.of(Map.of(StatsTable.ANY_KEY, INITIAL)))
                        .setBatchTimeout(Duration.ofSeconds(1))
                        .setEmitStatsVersion(true)
                        .build();
        return KafkaJobs.config(
                name,
                KAFKA.kafka(),
                INPUT,
                "hs-output-" + name,
                "hs-dead-letters-" + name,
                eval,
                Duration.ofMillis(300),
                2,
                UPDATES,
                JobConfig.DEFAULT_STATS_UPDATES_IDLE);
    }

    private static KafkaJobs.Result run(
            String name, Path savepoints, @Nullable FailOnceAfterACheckpoint failure)
            throws Exception {
        KAFKA.kafka().createTopics(2, "hs-output-" + name, "hs-dead-letters-" + name);
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return KafkaJobs.runToEndOfInput(
                KAFKA.kafka(), config(name), savepoints.resolve(name), restarts, failure);
    }

    /** Output records by id: {@code stats_version} and values. */
    private static Map<Long, String> outputsById(List<ConsumerRecord<byte[], byte[]>> outputs) {
        Map<Long, String> byId = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> message : outputs) {
            JsonNode record = Messages.parse(message.value());
            String previous =
                    byId.put(
                            record.get("id").asLong(),
                            record.path("stats_version").asText("<none>")
                                    + " "
                                    + record.get("values"));
            assertThat(previous).as("output of record %s", record.get("id")).isNull();
        }
        return byId;
    }

    private static List<String> deadLetterInputs(List<ConsumerRecord<byte[], byte[]>> letters) {
        List<String> inputs = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> message : letters) {
            JsonNode letter = Messages.parse(message.value());
            inputs.add(letter.get("error").asText() + " " + letter.get("input").asText());
        }
        inputs.sort(null);
        return inputs;
    }

    @Test
    void versionsFollowEventTimeAndARestartChangesNothing(@TempDir Path savepoints)
            throws Exception {
        KAFKA.kafka().createTopics(1, INPUT, UPDATES);
        TestKafka.produce(KAFKA.kafka().bootstrapServers(), UPDATES, updates());
        List<FeatureData.Input> records = records();
        TestKafka.produce(KAFKA.kafka().bootstrapServers(), INPUT, records);

        KafkaJobs.Result clean = run("clean", savepoints, null);

        List<String> problems = new ArrayList<>();
        List<String> expectedLetters = new ArrayList<>();
        expectedLetters.add("bad-stats-update " + updates().get(1).text());
        Map<Long, String> outputs = outputsById(clean.outputs);
        for (ConsumerRecord<byte[], byte[]> message : clean.outputs) {
            JsonNode record = Messages.parse(message.value());
            long id = record.get("id").asLong();
            Map.Entry<String, RunningStats> expected = expectedStats(id);
            if (expected == null) {
                problems.add("#" + id + " should be a no-stats dead letter: " + record);
                continue;
            }
            if (!expected.getKey().equals(record.path("stats_version").asText())) {
                problems.add("#" + id + " expected version " + expected.getKey() + ": " + record);
            }
            double[] y = Messages.values(record);
            double[] x = values(id);
            RunningStats s = expected.getValue();
            for (int c = 0; c < 2; c++) {
                double want = (x[c] - s.mean(c)) / Math.sqrt(s.variance(c) + EPS);
                if (!Messages.close(y[c], want)) {
                    problems.add("#" + id + " values[" + c + "] " + y[c] + " != " + want);
                }
            }
        }
        Messages.assertNoProblems("outputs", problems);
        long versionsSeen = outputs.values().stream().map(v -> v.split(" ")[0]).distinct().count();
        assertThat(versionsSeen).as("initial, v1 and " + V2 + " all served").isEqualTo(3);
        for (FeatureData.Input record : records) {
            if (expectedStats(record.id) == null) {
                expectedLetters.add("no-stats " + record.text());
            }
        }
        expectedLetters.sort(null);
        assertThat(deadLetterInputs(clean.deadLetters)).isEqualTo(expectedLetters);
        assertThat(outputs.size() + clean.deadLetters.size())
                .as("records in = out + dead letters (+ the bad update)")
                .isEqualTo(RECORDS + 1);

        KafkaJobs.Result restarted = run("restarted", savepoints, new FailOnceAfterACheckpoint());

        assertThat(FAILED).as("the forced failure happened").isTrue();
        assertThat(outputsById(restarted.outputs)).isEqualTo(outputs);
        assertThat(deadLetterInputs(restarted.deadLetters)).isEqualTo(expectedLetters);
    }
}
