package dev.streamnorm.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.demo.EmbeddedKafka;
import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.jobs.io.UpdateTopicProbe;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link StatsUpdateClock} in a test harness against a real broker: the update branch stays active
 * (its watermark moving only with the updates read) until every committed message that was in the
 * topic at (re)start has been read, skips transaction markers and aborted messages, then goes idle
 * after the idleness and active again with the next update.
 */
class StatsUpdateClockITCase {
    private static final Duration IDLENESS = Duration.ofSeconds(1);
    private static final String GROUP = "clock-test-stats-updates";
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    private static String update(String version, long effectiveFrom) {
        return String.format(
                Locale.ROOT,
                "{\"format\": \"streamnorm.stats/v1\", \"version\": \"%s\", \"effective_from\": %d,"
                        + " \"keys\": {\"*\": {\"running_mean\": [0.0], \"running_var\": [1.0],"
                        + " \"num_batches_tracked\": 1}}}",
                version,
                effectiveFrom);
    }

    private static Properties producer(String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return props;
    }

    /** Publishes {@code messages} and returns them as the source would deliver them. */
    private static List<RawRecord> publish(String topic, String... messages) throws Exception {
        List<RawRecord> raw = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producer(null))) {
            for (String message : messages) {
                byte[] payload = message.getBytes(StandardCharsets.UTF_8);
                RecordMetadata where =
                        producer.send(new ProducerRecord<>(topic, payload))
                                .get(30, TimeUnit.SECONDS);
                raw.add(
                        RawRecord.fromKafka(
                                payload,
                                null,
                                where.timestamp(),
                                topic,
                                where.partition(),
                                where.offset()));
            }
        }
        return raw;
    }

    /**
     * Waits until the transaction markers are written: a read_committed reader's end offset of
     * partition 0 is {@code end}.
     */
    private static void awaitEndOffset(String topic, long end) throws Exception {
        try (UpdateTopicProbe probe =
                new UpdateTopicProbe(kafka.bootstrapServers(), topic, KafkaSettings.none())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (probe.endOffsets(List.of(0)).get(0) != end) {
                assertThat(System.nanoTime()).as("end offset %s reached", end).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    private static OneInputStreamOperatorTestHarness<RawRecord, StatsUpdate> harness(String topic)
            throws Exception {
        Endpoint endpoint = Endpoint.parse("kafka://" + kafka.bootstrapServers() + "/" + topic);
        return new OneInputStreamOperatorTestHarness<>(
                new StatsUpdateClock(endpoint, KafkaSettings.none(), GROUP, IDLENESS));
    }

    /** What the operator emitted since the last call: versions, watermarks and status changes. */
    private static List<String> emitted(OneInputStreamOperatorTestHarness<RawRecord, ?> harness) {
        List<String> events = new ArrayList<>();
        for (Object event : harness.getOutput()) {
            if (event instanceof StreamRecord) {
                StatsUpdate update = (StatsUpdate) ((StreamRecord<?>) event).getValue();
                events.add(update.version() + "@" + ((StreamRecord<?>) event).getTimestamp());
            } else if (event instanceof Watermark) {
                events.add("watermark " + ((Watermark) event).getTimestamp());
            } else if (event instanceof WatermarkStatus) {
                events.add(((WatermarkStatus) event).isIdle() ? "idle" : "active");
            }
        }
        harness.getOutput().clear();
        return events;
    }

    private static void process(
            OneInputStreamOperatorTestHarness<RawRecord, StatsUpdate> harness, RawRecord raw)
            throws Exception {
        harness.processElement(new StreamRecord<>(raw));
    }

    @Test
    void staysActiveUntilTheTopicIsReadThenIdlesAndWakesUp() throws Exception {
        kafka.createTopics(1, "clock-read");
        List<RawRecord> raw =
                publish(
                        "clock-read",
                        update("v1", 1_000),
                        update("v2", 2_000),
                        update("v3", 3_000));
        try (OneInputStreamOperatorTestHarness<RawRecord, StatsUpdate> harness =
                harness("clock-read")) {
            harness.setProcessingTime(0);
            harness.open();
            harness.setProcessingTime(10_000);
            assertThat(emitted(harness)).as("nothing read: active, no watermark").isEmpty();

            process(harness, raw.get(0));
            process(harness, raw.get(1));
            harness.setProcessingTime(20_000);
            assertThat(emitted(harness))
                    .as("v3 is in the topic: the watermark moves with the updates read, never idle")
                    .containsExactly("v1@1000", "v2@2000", "watermark 1999");

            process(harness, raw.get(2));
            harness.setProcessingTime(20_900);
            assertThat(emitted(harness)).containsExactly("v3@3000", "watermark 2999");
            harness.setProcessingTime(21_100);
            assertThat(emitted(harness)).as("caught up and quiet for 1 s").containsExactly("idle");

            RawRecord v4 = publish("clock-read", update("v4", 4_000)).get(0);
            process(harness, v4);
            harness.setProcessingTime(21_200);
            assertThat(emitted(harness)).containsExactly("active", "v4@4000", "watermark 3999");

            harness.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(emitted(harness)).containsExactly("watermark " + Long.MAX_VALUE);
        }
    }

    @Test
    void transactionMarkersAndAbortedMessagesAreNotWaitedFor() throws Exception {
        kafka.createTopics(1, "clock-tx");
        byte[] committed = update("committed", 1_000).getBytes(StandardCharsets.UTF_8);
        byte[] aborted = update("aborted", 500).getBytes(StandardCharsets.UTF_8);
        long offset;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producer("clock-tx"))) {
            producer.initTransactions();
            producer.beginTransaction();
            offset = producer.send(new ProducerRecord<>("clock-tx", committed)).get().offset();
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("clock-tx", aborted)).get();
            producer.abortTransaction();
        }
        awaitEndOffset("clock-tx", offset + 4);
        try (OneInputStreamOperatorTestHarness<RawRecord, StatsUpdate> harness =
                harness("clock-tx")) {
            harness.setProcessingTime(0);
            harness.open();
            process(harness, RawRecord.fromKafka(committed, null, 0, "clock-tx", 0, offset));
            harness.setProcessingTime(400);
            assertThat(emitted(harness))
                    .as("the offsets after it hold markers and an aborted message")
                    .containsExactly("committed@1000", "watermark 999");
            for (long t = 500; t <= 1_600; t += 100) {
                harness.setProcessingTime(t);
            }
            assertThat(emitted(harness))
                    .as("probed after 0.5 s quiet: caught up; idle 1 s after the last message")
                    .containsExactly("idle");
        }
    }

    @Test
    void aRestoreWaitsForTheUpdatesPublishedWhileDown() throws Exception {
        kafka.createTopics(1, "clock-restore");
        List<RawRecord> before = publish("clock-restore", update("v1", 1_000), "{\"format\": 1}");
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<RawRecord, StatsUpdate> harness =
                harness("clock-restore")) {
            harness.setProcessingTime(0);
            harness.open();
            process(harness, before.get(0));
            process(harness, before.get(1));
            List<StreamRecord<DeadLetter>> letters =
                    new ArrayList<>(harness.getSideOutput(Normalization.DEAD_LETTERS));
            assertThat(letters).hasSize(1);
            assertThat(letters.get(0).getValue().error().code()).isEqualTo("bad-stats-update");
            harness.setProcessingTime(1_000);
            assertThat(emitted(harness))
                    .as("a bad message counts as read")
                    .containsExactly("v1@1000", "watermark 999", "idle");
            snapshot = harness.snapshot(1, 1_000);
        }

        RawRecord v2 = publish("clock-restore", update("v2", 2_000)).get(0);

        try (OneInputStreamOperatorTestHarness<RawRecord, StatsUpdate> restored =
                harness("clock-restore")) {
            restored.setProcessingTime(0);
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(10_000);
            assertThat(emitted(restored))
                    .as("the restored watermark; v2 was published while down: wait, never idle")
                    .containsExactly("watermark 999");
            process(restored, v2);
            restored.setProcessingTime(10_900);
            assertThat(emitted(restored)).containsExactly("v2@2000", "watermark 1999");
            restored.setProcessingTime(11_100);
            assertThat(emitted(restored)).containsExactly("idle");
        }
    }

    @Test
    void aRestoreWithoutOffsetsStartsWhereTheSourceGroupCommitted() throws Exception {
        kafka.createTopics(1, "clock-legacy");
        List<RawRecord> read = publish("clock-legacy", update("v1", 1_000));
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        try (KafkaConsumer<byte[], byte[]> group =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            group.commitSync(
                    Map.of(
                            new TopicPartition("clock-legacy", 0),
                            new OffsetAndMetadata(read.get(0).position + 1)));
        }
        try (OneInputStreamOperatorTestHarness<RawRecord, StatsUpdate> restored =
                harness("clock-legacy")) {
            restored.setProcessingTime(0);
            restored.initializeState(OperatorSubtaskState.builder().build());
            restored.open();
            restored.setProcessingTime(1_100);
            assertThat(emitted(restored))
                    .as("v1 was read before the savepoint, the source will not deliver it again")
                    .containsExactly("idle");
        }
    }
}
