package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.jobs.io.KafkaSettings;
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
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap with the default 1 s {@code --stats-updates-idle} and an update reader that is several
 * seconds late: every record still gets the version the rule picks for its event time, because no
 * record passes an update that was in the topic when the job (re)started. Also after a restart from
 * a savepoint, with a backlog of updates published while the job was down, written in a transaction
 * and followed by an aborted one.
 */
class StatsUpdatesCatchUpITCase {
    private static final int KEYS = 4;
    private static final long STEP_MS = 10;
    private static final long BASE = FeatureData.BASE_TS;
    private static final double EPS = 1e-5;

    /** How long each fetch of the slow update reader waits. */
    private static final long DELAY_MS = 3_000;

    private static final RunningStats INITIAL = stats(0, 1);
    private static final long V1_FROM = BASE + 3_000;
    private static final RunningStats V1 = stats(2, 4);

    /** Backlog update i: effective from {@code BACKLOG_FROM + i}, version {@code "b<i>"}. */
    private static final int BACKLOG = 2_000;

    private static final long BACKLOG_FROM = BASE + 12_000;

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /**
     * A reader of the update topic whose every fetch waits {@link #DELAY_MS} on the broker (it asks
     * for more bytes than the topic holds): late by several seconds, as behind a slow broker, while
     * the records are read at once.
     */
    private static final KafkaSettings SLOW_READER =
            new KafkaSettings(
                    Map.of(
                            "fetch.min.bytes", Integer.toString(64 << 20),
                            "fetch.max.wait.ms", Long.toString(DELAY_MS)));

    /** Runs the job to the end of its input with the update reader late by {@link #DELAY_MS}. */
    private static KafkaJobs.Result runLate(JobConfig config, Path savepoints, Configuration extra)
            throws Exception {
        return KafkaJobs.runToEndOfInput(
                KAFKA.kafka(), config, savepoints, extra, null, SLOW_READER);
    }

    private static RunningStats stats(double mean, double variance) {
        return RunningStats.of(new double[] {mean}, new double[] {variance}, 1);
    }

    private static RunningStats backlogStats(int i) {
        return stats(i / 100.0, 1 + i / 1000.0);
    }

    private static long timestamp(long id) {
        return BASE + id * STEP_MS;
    }

    private static double value(long id) {
        return 3 * Math.sin(id) + id % 5;
    }

    /** The version the rule picks for record {@code id}, and its stats. */
    private static Map.Entry<String, RunningStats> expected(long id) {
        long t = timestamp(id);
        if (t < V1_FROM) {
            return Map.entry("initial", INITIAL);
        }
        if (t < BACKLOG_FROM) {
            return Map.entry("v1", V1);
        }
        int i = (int) Math.min(t - BACKLOG_FROM, BACKLOG - 1);
        return Map.entry("b" + i, backlogStats(i));
    }

    private static List<FeatureData.Input> records(long from, long to) {
        List<FeatureData.Input> inputs = new ArrayList<>();
        for (long id = from; id < to; id++) {
            String key = "k" + (id % KEYS);
            String payload =
                    String.format(
                            Locale.ROOT,
                            "{\"id\": %d, \"key\": \"%s\", \"ts\": %d, \"values\": [%s]}",
                            id,
                            key,
                            timestamp(id),
                            Double.toString(value(id)));
            inputs.add(
                    new FeatureData.Input(
                            id,
                            key,
                            payload.getBytes(StandardCharsets.UTF_8),
                            null,
                            "clean",
                            new double[] {value(id)}));
        }
        return inputs;
    }

    private static String update(String version, long effectiveFrom, RunningStats s) {
        return String.format(
                Locale.ROOT,
                "{\"format\": \"streamnorm.stats/v1\", \"version\": \"%s\", \"effective_from\": %d,"
                        + " \"keys\": {\"*\": {\"running_mean\": [%s], \"running_var\": [%s],"
                        + " \"num_batches_tracked\": 1}}}",
                version,
                effectiveFrom,
                s.mean(0),
                s.variance(0),
                s.numBatchesTracked());
    }

    private static FeatureData.Input message(String json) {
        return new FeatureData.Input(
                0, "update", json.getBytes(StandardCharsets.UTF_8), null, "update", new double[0]);
    }

    /**
     * The backlog in one committed transaction, then an update in an aborted one: the topic ends
     * with offsets that hold no message to read.
     */
    private static void publishBacklog(String topic) {
        Properties props = TestKafka.producer(KAFKA.kafka().bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "backlog-" + topic);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < BACKLOG; i++) {
                String json = update("b" + i, BACKLOG_FROM + i, backlogStats(i));
                producer.send(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            String aborted = update("aborted", BACKLOG_FROM, stats(1e6, 1));
            producer.send(new ProducerRecord<>(topic, aborted.getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static JobConfig config(String name, String updates) {
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
                "in-" + name,
                "out-" + name,
                "dead-" + name,
                eval,
                Duration.ofMillis(300),
                2,
                updates,
                JobConfig.DEFAULT_STATS_UPDATES_IDLE);
    }

    /** Every record exactly once, with the version and the values the rule gives. */
    private static void assertVersions(KafkaJobs.Result result, long records) {
        List<String> problems = new ArrayList<>();
        Map<Long, String> versions = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> message : result.outputs) {
            JsonNode record = Messages.parse(message.value());
            long id = record.get("id").asLong();
            String version = record.path("stats_version").asText("<none>");
            if (versions.put(id, version) != null) {
                problems.add("#" + id + " twice");
            }
            Map.Entry<String, RunningStats> want = expected(id);
            if (!want.getKey().equals(version)) {
                problems.add("#" + id + " expected version " + want.getKey() + ": " + record);
            }
            RunningStats s = want.getValue();
            double y = Messages.values(record)[0];
            double normalized = (value(id) - s.mean(0)) / Math.sqrt(s.variance(0) + EPS);
            if (!Messages.close(y, normalized)) {
                problems.add("#" + id + " value " + y + " != " + normalized);
            }
        }
        Messages.assertNoProblems("outputs", problems);
        assertThat(result.deadLetters).as("dead letters").isEmpty();
        assertThat(versions).as("records out").hasSize((int) records);
    }

    @Test
    void aLateUpdateReaderStillServesTheUpdatesThatAreInTheTopic(@TempDir Path savepoints)
            throws Exception {
        JobConfig config = config("late", "up-late");
        KAFKA.kafka().createTopics(1, "in-late", "up-late");
        KAFKA.kafka().createTopics(2, "out-late", "dead-late");
        String bootstrap = KAFKA.kafka().bootstrapServers();
        TestKafka.produce(bootstrap, "up-late", List.of(message(update("v1", V1_FROM, V1))));
        TestKafka.produce(bootstrap, "in-late", records(0, 1_000));

        KafkaJobs.Result result = runLate(config, savepoints, new Configuration());

        assertVersions(result, 1_000);
    }

    @Test
    void aRestartWaitsForTheBacklogPublishedWhileTheJobWasDown(@TempDir Path savepoints)
            throws Exception {
        JobConfig config = config("restart", "up-restart");
        KAFKA.kafka().createTopics(1, "in-restart", "up-restart");
        KAFKA.kafka().createTopics(2, "out-restart", "dead-restart");
        String bootstrap = KAFKA.kafka().bootstrapServers();
        TestKafka.produce(bootstrap, "up-restart", List.of(message(update("v1", V1_FROM, V1))));
        TestKafka.produce(bootstrap, "in-restart", records(0, 1_000));
        KafkaJobs.Result first =
                KafkaJobs.runToEndOfInput(
                        KAFKA.kafka(),
                        config,
                        savepoints.resolve("first"),
                        new Configuration(),
                        null);
        assertVersions(first, 1_000);

        publishBacklog("up-restart");
        TestKafka.produce(bootstrap, "in-restart", records(1_000, 2_000));
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, first.savepoint);
        KafkaJobs.Result restarted = runLate(config, savepoints.resolve("restarted"), restore);

        assertVersions(restarted, 2_000);
    }
}
