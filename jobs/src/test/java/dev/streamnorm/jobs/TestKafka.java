package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.demo.EmbeddedKafka;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka plumbing of the integration tests: producing with the brokers' record metadata, reading
 * with {@code read_committed}, consumer-group offsets, and bounded waits that fail with a clear
 * message (and at once when the job under test has ended).
 */
public final class TestKafka {
    /** Generous bound for each wait; a healthy run needs a small fraction of it. */
    static final Duration WAIT = Duration.ofSeconds(120);

    private TestKafka() {}

    /** Starts a broker; the storage formatter's lines on System.out are dropped. */
    static EmbeddedKafka start() throws Exception {
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return EmbeddedKafka.start();
        } finally {
            System.setOut(original);
        }
    }

    /** A condition polled by {@link #await}. */
    interface Condition {
        boolean holds() throws Exception;
    }

    /** An idempotent producer of byte arrays that waits for all replicas, batching generously. */
    public static Properties producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** A {@code read_committed} consumer of byte arrays that commits nothing. */
    public static Properties committedConsumer(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return props;
    }

    /**
     * The latest offset of each partition: with {@code READ_COMMITTED} the last stable offset (no
     * open transaction before it), with {@code READ_UNCOMMITTED} the end of the log.
     */
    public static Map<TopicPartition, Long> latestOffsets(
            Admin admin, Collection<TopicPartition> partitions, IsolationLevel isolation)
            throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicPartition tp : partitions) {
            request.put(tp, OffsetSpec.latest());
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(isolation))
                .all()
                .get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /**
     * Produces {@code inputs} in order, Kafka key = the input's key, and returns where each one
     * landed (same index).
     */
    static List<RecordMetadata> produce(
            String bootstrap, String topic, List<FeatureData.Input> inputs) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(inputs.size());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producer(bootstrap))) {
            for (FeatureData.Input input : inputs) {
                byte[] key = input.key.getBytes(StandardCharsets.UTF_8);
                sent.add(producer.send(new ProducerRecord<>(topic, key, input.payload)));
            }
            producer.flush();
        }
        List<RecordMetadata> metadata = new ArrayList<>(sent.size());
        for (Future<RecordMetadata> future : sent) {
            metadata.add(future.get(30, TimeUnit.SECONDS));
        }
        return metadata;
    }

    /** The end offset of every partition of {@code topic}. */
    static Map<TopicPartition, Long> endOffsets(EmbeddedKafka kafka, String topic)
            throws Exception {
        try (Admin admin = kafka.admin()) {
            int partitions =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()
                            .size();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listOffsets(request)
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        }
    }

    /**
     * Waits until consumer group {@code groupId} has committed {@code offsets}: the job read every
     * message before them, and a checkpoint that covers them has completed.
     */
    static void awaitCommitted(
            EmbeddedKafka kafka, String groupId, Map<TopicPartition, Long> offsets, JobClient job)
            throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            await(
                    () ->
                            "consumer group "
                                    + groupId
                                    + " to commit "
                                    + offsets
                                    + " (has "
                                    + committed
                                    + ")",
                    WAIT,
                    job,
                    () -> {
                        committed.clear();
                        admin.listConsumerGroupOffsets(groupId)
                                .partitionsToOffsetAndMetadata()
                                .get(30, TimeUnit.SECONDS)
                                .forEach(
                                        (tp, om) ->
                                                committed.put(tp, om == null ? -1 : om.offset()));
                        return committed.equals(offsets);
                    });
        }
    }

    /**
     * Polls {@code condition} until it holds, for at most {@code timeout}; fails with {@code what}
     * and the last state, or at once with the job's failure when {@code job} ends first.
     */
    static void await(
            Supplier<String> what, Duration timeout, @Nullable JobClient job, Condition condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (job != null && job.getJobExecutionResult().isDone()) {
                try {
                    job.getJobExecutionResult().get();
                } catch (Exception e) {
                    throw new AssertionError("the job failed while waiting for " + what.get(), e);
                }
                throw new AssertionError("the job ended while waiting for " + what.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + timeout.toSeconds() + " s waiting for " + what.get());
            }
            Thread.sleep(100);
        }
    }

    /** Reads every partition of a topic from the beginning with {@code read_committed}. */
    static final class CommittedReader implements AutoCloseable {
        private final String topic;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Properties adminProperties = new Properties();
        private final List<TopicPartition> partitions = new ArrayList<>();
        private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

        CommittedReader(String bootstrap, String topic) {
            this.topic = topic;
            adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            consumer = new KafkaConsumer<>(committedConsumer(bootstrap));
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Everything read so far, in the order of each partition. */
        List<ConsumerRecord<byte[], byte[]>> records() {
            return records;
        }

        /** Reads until at least {@code count} records have been read. */
        void awaitCount(int count, Duration timeout, @Nullable JobClient job) throws Exception {
            await(
                    () ->
                            count
                                    + " committed records on "
                                    + topic
                                    + " (have "
                                    + records.size()
                                    + ")",
                    timeout,
                    job,
                    () -> {
                        poll();
                        return records.size() >= count;
                    });
        }

        /**
         * Reads everything written to the topic, once no transaction on it is in flight: waits
         * until the last stable offset of every partition has caught up with its high watermark (a
         * committed transaction's markers are written after the commit returns) and this reader has
         * read up to there.
         */
        void readToEnd(Duration timeout) throws Exception {
            Map<TopicPartition, Long> stable = new HashMap<>();
            Map<TopicPartition, Long> written = new HashMap<>();
            try (Admin admin = Admin.create(adminProperties)) {
                await(
                        () ->
                                "the end of "
                                        + topic
                                        + ": stable "
                                        + stable
                                        + ", written "
                                        + written
                                        + " (have "
                                        + records.size()
                                        + " records)",
                        timeout,
                        null,
                        () -> {
                            poll();
                            stable.clear();
                            stable.putAll(
                                    latestOffsets(
                                            admin, partitions, IsolationLevel.READ_COMMITTED));
                            written.clear();
                            written.putAll(
                                    latestOffsets(
                                            admin, partitions, IsolationLevel.READ_UNCOMMITTED));
                            if (!stable.equals(written)) {
                                return false;
                            }
                            for (TopicPartition tp : partitions) {
                                if (consumer.position(tp) < stable.get(tp)) {
                                    return false;
                                }
                            }
                            return true;
                        });
            }
            assertThat(consumer.beginningOffsets(partitions).values())
                    .as("log start offsets of %s (records deleted by retention?)", topic)
                    .containsOnly(0L);
        }

        private void poll() {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                records.add(record);
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
