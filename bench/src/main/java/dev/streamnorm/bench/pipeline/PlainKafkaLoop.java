package dev.streamnorm.bench.pipeline;

import dev.streamnorm.jobs.codec.BadRecordException;
import dev.streamnorm.jobs.codec.JsonRecordDecoder;
import dev.streamnorm.jobs.codec.JsonRecordEncoder;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.io.SinkProducerSettings;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The baseline of the Kafka benchmark: one thread that consumes, decodes with {@link
 * JsonRecordDecoder}, normalizes with {@link PlainTrain}, encodes with {@link JsonRecordEncoder}
 * and produces, without Flink. Every {@code commitInterval} it commits: at-least-once flushes the
 * producer and then commits the consumer offsets; exactly-once commits a Kafka transaction that
 * carries the consumer offsets.
 *
 * <p>Unlike the Flink job it keeps partial batches only in memory, so after a crash it would lose
 * them (their offsets are already committed): it is a speed baseline, not a replacement.
 */
final class PlainKafkaLoop implements AutoCloseable {
    private final String bootstrap;
    private final String input;
    private final String output;
    private final String deadLetters;
    private final boolean exactlyOnce;
    private final Duration commitInterval;
    private final String name;
    private final PlainTrain norm;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private KafkaProducer<byte[], byte[]> producer;
    private final JsonRecordEncoder encoder = new JsonRecordEncoder();

    PlainKafkaLoop(
            String bootstrap,
            String input,
            String output,
            String deadLetters,
            boolean exactlyOnce,
            Duration commitInterval,
            int features,
            int batchSize,
            String name) {
        this.bootstrap = bootstrap;
        this.input = input;
        this.output = output;
        this.deadLetters = deadLetters;
        this.exactlyOnce = exactlyOnce;
        this.commitInterval = commitInterval;
        this.name = name;
        this.norm = new PlainTrain(features, batchSize);
        this.thread = new Thread(this::run, "plain-loop-" + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, name);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(props);
    }

    /** A producer batching as the job's sinks do ({@link SinkProducerSettings}). */
    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = SinkProducerSettings.of(KafkaSettings.none(), exactlyOnce);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        if (exactlyOnce) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name);
        }
        return new KafkaProducer<>(props);
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
                KafkaProducer<byte[], byte[]> producer = producer()) {
            this.producer = producer;
            List<TopicPartition> partitions =
                    consumer.partitionsFor(input).stream()
                            .map(p -> new TopicPartition(input, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            if (exactlyOnce) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            JsonRecordDecoder decoder = new JsonRecordDecoder();
            PlainNorm.Emitter emitter =
                    (id, tag, normalized) -> send((FeatureRecord) tag, normalized);
            long lastCommit = System.nanoTime();
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    process(record, decoder, emitter);
                }
                if (System.nanoTime() - lastCommit >= commitInterval.toNanos()) {
                    commit(consumer, partitions);
                    lastCommit = System.nanoTime();
                }
            }
            if (exactlyOnce) {
                producer.abortTransaction();
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void process(
            ConsumerRecord<byte[], byte[]> record,
            JsonRecordDecoder decoder,
            PlainNorm.Emitter emitter) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        Origin origin = Origin.kafka(record.topic(), record.partition(), record.offset());
        long timestamp = record.timestamp() >= 0 ? record.timestamp() : FeatureRecord.NO_TIMESTAMP;
        try {
            FeatureRecord decoded = decoder.decode(record.value(), origin, key, timestamp);
            norm.accept(decoded.key(), 0, decoded.values(), decoded, emitter);
        } catch (BadRecordException e) {
            DeadLetter letter =
                    new DeadLetter(
                            e.error(),
                            e.getMessage(),
                            record.value(),
                            origin,
                            key == null ? "" : key);
            producer.send(new ProducerRecord<>(deadLetters, record.key(), encoder.encode(letter)));
        }
    }

    private void send(FeatureRecord record, double[] normalized) {
        System.arraycopy(normalized, 0, record.values(), 0, normalized.length);
        producer.send(
                new ProducerRecord<>(
                        output,
                        null,
                        record.timestamp() == FeatureRecord.NO_TIMESTAMP
                                ? null
                                : record.timestamp(),
                        record.key().getBytes(StandardCharsets.UTF_8),
                        encoder.encode(record)));
    }

    private void commit(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
        }
        if (exactlyOnce) {
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            producer.beginTransaction();
        } else {
            producer.flush();
            consumer.commitSync(offsets);
        }
    }

    /** Fails if the loop failed. */
    void check() {
        if (failure != null) {
            throw new IllegalStateException("the plain loop failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(30_000);
        check();
    }
}
