package dev.streamnorm.jobs.report;

import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The drift records behind a report: the lines of a file (a path or {@code file://} URI), or every
 * committed message of a Kafka topic up to its end when read.
 */
final class DriftSource {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private DriftSource() {}

    /** The drift records of {@code location}, as JSON lines. */
    static List<String> read(String location, KafkaSettings kafka) {
        if (!location.contains("://")) {
            return lines(Path.of(location));
        }
        Endpoint endpoint = Endpoint.parse(location);
        switch (endpoint.kind()) {
            case FILE:
                return lines(endpoint.path());
            case KAFKA:
                return topic(endpoint, kafka);
            default:
                throw new IllegalArgumentException("cannot read drift records from " + location);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such drift file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<String> topic(Endpoint endpoint, KafkaSettings kafka) {
        Properties props = kafka.toProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoint.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<String> lines = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(endpoint.topic(), TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("no topic " + endpoint);
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + endpoint);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    lines.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return lines;
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
