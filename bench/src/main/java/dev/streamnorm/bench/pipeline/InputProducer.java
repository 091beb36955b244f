package dev.streamnorm.bench.pipeline;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes benchmark records to an input topic: Kafka key = the record's key, value = its JSON (with
 * {@code ts} = the time of sending), Kafka timestamp = the same {@code ts}.
 */
final class InputProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final PipelineData data;
    private final String topic;

    /**
     * @param paced small batches (linger 1 ms) for a paced, latency-measuring producer
     */
    InputProducer(String bootstrap, String topic, PipelineData data, boolean paced) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.LINGER_MS_CONFIG, paced ? "1" : "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(paced ? 16_384 : 262_144));
        this.producer = new KafkaProducer<>(props);
        this.data = data;
        this.topic = topic;
    }

    private void send(long i) {
        long ts = System.currentTimeMillis();
        byte[] key = data.key(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, null, ts, key, data.json(i, ts)));
    }

    /** Sends records {@code from} to {@code to - 1} as fast as possible; returns records/s. */
    double backlog(long from, long to) {
        long start = System.nanoTime();
        for (long i = from; i < to; i++) {
            send(i);
        }
        producer.flush();
        return (to - from) / ((System.nanoTime() - start) / 1e9);
    }

    /** Sends records {@code from} to {@code to - 1} at {@code rate} records per second. */
    void paced(long from, long to, int rate) {
        long start = System.nanoTime();
        for (long i = from; i < to; i++) {
            long due = start + (i - from) * TimeUnit.SECONDS.toNanos(1) / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            send(i);
        }
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
