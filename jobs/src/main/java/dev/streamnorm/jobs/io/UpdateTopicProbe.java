package dev.streamnorm.jobs.io;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Asks a topic, as a {@code read_committed} reader sees it, where its committed messages are: the
 * end offset of each partition (its last stable offset), and whether any committed message lies
 * between two offsets. Transaction markers and aborted messages occupy offsets but are never
 * delivered, so "every message below the end offset was read" has to be checked with this probe
 * rather than by counting offsets.
 */
public final class UpdateTopicProbe implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final String bootstrapServers;
    private final String topic;
    private final KafkaSettings settings;
    private final KafkaConsumer<byte[], byte[]> consumer;

    /** A probe of {@code topic} with the job's client properties (security settings included). */
    public UpdateTopicProbe(String bootstrapServers, String topic, KafkaSettings settings) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.settings = settings;
        Properties properties = settings.toProperties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        // Answers at once, whatever the job's own readers are tuned for.
        properties.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamnorm-stats-updates-probe");
        properties.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        properties.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(properties);
    }

    /** The partitions of the topic. */
    public List<Integer> partitions() {
        List<Integer> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
            partitions.add(info.partition());
        }
        return partitions;
    }

    /** The first offset of each partition that still holds messages. */
    public Map<Integer, Long> beginningOffsets(List<Integer> partitions) {
        return byPartition(consumer.beginningOffsets(topicPartitions(partitions)));
    }

    /**
     * The offsets that consumer group {@code groupId} has committed, else the first offset of the
     * partition: where a source of that group restored from an older savepoint stands.
     */
    public Map<Integer, Long> committedOffsets(String groupId, List<Integer> partitions)
            throws Exception {
        Map<Integer, Long> offsets = beginningOffsets(partitions);
        Properties properties = settings.toProperties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamnorm-stats-updates-probe");
        try (Admin admin = Admin.create(properties)) {
            admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata()
                    .get(60, TimeUnit.SECONDS)
                    .forEach(
                            (tp, committed) -> {
                                if (tp.topic().equals(topic) && committed != null) {
                                    offsets.merge(tp.partition(), committed.offset(), Math::max);
                                }
                            });
        }
        return offsets;
    }

    /**
     * The offset below which each partition holds only committed or aborted messages: its last
     * stable offset. A message of a transaction still open lies at or above it.
     */
    public Map<Integer, Long> endOffsets(List<Integer> partitions) {
        return byPartition(consumer.endOffsets(topicPartitions(partitions)));
    }

    /**
     * The offset of the first committed message of {@code partition} at or after {@code from} and
     * below {@code end}; {@code end} when there is none (only markers and aborted messages), and
     * {@code from} when the broker did not answer within {@code budget}.
     */
    public long firstCommittedOffset(int partition, long from, long end, Duration budget) {
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + budget.toNanos();
        do {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(tp)) {
                return Math.min(record.offset(), end);
            }
            if (consumer.position(tp, budget) >= end) {
                return end;
            }
        } while (System.nanoTime() < deadline);
        return from;
    }

    private List<TopicPartition> topicPartitions(List<Integer> partitions) {
        List<TopicPartition> tps = new ArrayList<>(partitions.size());
        for (int p : partitions) {
            tps.add(new TopicPartition(topic, p));
        }
        return tps;
    }

    private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
        Map<Integer, Long> result = new HashMap<>();
        offsets.forEach((tp, offset) -> result.put(tp.partition(), offset));
        return result;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
