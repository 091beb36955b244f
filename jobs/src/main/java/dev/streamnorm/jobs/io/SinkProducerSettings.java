package dev.streamnorm.jobs.io;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The producer properties of a Kafka sink: the user's {@code --kafka-property} settings over
 * streamnorm's defaults for batching.
 *
 * <p>A broker spends its CPU per produce request more than per byte: with Kafka's default 16 KiB
 * batches, a 32-feature record stream needs about 40 requests per 1,000 records; 128 KiB batches
 * need about 5. So the sinks batch up to {@link #BATCH_BYTES}, which needs no waiting when records
 * come fast. An exactly-once sink also waits up to {@link #EXACTLY_ONCE_LINGER_MS} for a batch to
 * fill: its records become visible only when the checkpoint's transaction commits, and the sink
 * flushes the producer at every checkpoint, so that wait adds nothing a {@code read_committed}
 * reader can see. An at-least-once sink keeps Kafka's own linger, as its records are visible at
 * once.
 *
 * <p>A user's {@code buffer.memory} below 1 MiB caps the batch at an eighth of it, so that a small
 * buffer (see "The Kafka producer's buffer" in the README) still holds several batches.
 */
public final class SinkProducerSettings {
    /** The largest batch a sink's producer builds, per partition. */
    static final int BATCH_BYTES = 128 * 1024;

    /** How long an exactly-once sink's producer waits for a batch to fill. */
    static final int EXACTLY_ONCE_LINGER_MS = 50;

    private SinkProducerSettings() {}

    /** The properties of a sink's producer: {@code user}'s settings over the defaults. */
    public static Properties of(KafkaSettings user, boolean exactlyOnce) {
        Properties given = user.toProperties();
        Properties result = new Properties();
        result.setProperty(
                ProducerConfig.BATCH_SIZE_CONFIG,
                Integer.toString(
                        batchBytes(given.getProperty(ProducerConfig.BUFFER_MEMORY_CONFIG))));
        if (exactlyOnce) {
            result.setProperty(
                    ProducerConfig.LINGER_MS_CONFIG, Integer.toString(EXACTLY_ONCE_LINGER_MS));
        }
        result.putAll(given);
        return result;
    }

    /**
     * Checks that a sink's producer would accept its properties (types and ranges: {@code
     * linger.ms=abc} or {@code batch.size=-1}), so that a bad {@code --kafka-property} is found
     * before the job starts, not by every restart of its sink.
     *
     * @throws IllegalArgumentException one line with Kafka's reason
     */
    public static void check(KafkaSettings user, boolean exactlyOnce) {
        Properties props = of(user, exactlyOnce);
        // The sink sets these itself; the check needs a value for each required one.
        props.putIfAbsent(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try {
            ProducerConfig.configDef().parse(props);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--kafka-property: " + e.getMessage());
        }
    }

    private static int batchBytes(String bufferMemory) {
        if (bufferMemory == null) {
            return BATCH_BYTES;
        }
        try {
            long buffer = Long.parseLong(bufferMemory.trim());
            return (int) Math.max(1, Math.min(BATCH_BYTES, buffer / 8));
        } catch (NumberFormatException e) {
            // Kafka rejects the value itself, with its own message.
            return BATCH_BYTES;
        }
    }
}
