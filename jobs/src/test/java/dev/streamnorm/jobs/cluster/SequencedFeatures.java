package dev.streamnorm.jobs.cluster;

import dev.streamnorm.jobs.TestKafka;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The input of the failover scenario, generated (not stored) so that a million records cost no
 * memory: {@code keys} keys {@code k0, k1, ...} with {@code perKey} records each, record {@code s}
 * of key {@code k} being {@code {"key":"k<k>","seq":s,"values":[...]}}. They are produced seq-major
 * (all keys' record 0, then all keys' record 1, ...), so a record's {@code seq} tells how far the
 * input has got. Values are rounded to 3 decimals (short JSON), with a different mean and spread
 * per key and channel.
 *
 * <p>One record per key, at {@link #badSeq}, is bad and must become a dead letter: for even keys
 * its {@code values} has one element too few ({@code wrong-length}), for odd keys one is a string
 * ({@code not-a-number}).
 */
final class SequencedFeatures {
    final int keys;
    final int perKey;
    final int channels;

    SequencedFeatures(int keys, int perKey, int channels) {
        this.keys = keys;
        this.perKey = perKey;
        this.channels = channels;
    }

    long total() {
        return (long) keys * perKey;
    }

    long badTotal() {
        return keys;
    }

    static String key(int k) {
        return "k" + k;
    }

    /** The seq of key {@code k}'s bad record. */
    int badSeq(int k) {
        return (int) ((k * 37L + 11) % perKey);
    }

    /** The values of record {@code seq} of key {@code k} (its good form). */
    double[] values(int k, int seq) {
        SplittableRandom random = new SplittableRandom(k * 1_000_003L + seq);
        double[] values = new double[channels];
        for (int c = 0; c < channels; c++) {
            double x = (c - channels / 2.0) + (k % 7) + random.nextGaussian() * (1 + c / 4.0);
            values[c] = Math.round(x * 1000) / 1000.0;
        }
        return values;
    }

    /** The message of record {@code seq} of key {@code k}. */
    byte[] payload(int k, int seq) {
        double[] values = values(k, seq);
        boolean bad = seq == badSeq(k);
        StringBuilder json = new StringBuilder(24 + 8 * channels);
        json.append("{\"key\":\"").append(key(k)).append("\",\"seq\":").append(seq);
        json.append(",\"values\":[");
        int length = bad && k % 2 == 0 ? channels - 1 : channels;
        for (int c = 0; c < length; c++) {
            if (c > 0) {
                json.append(',');
            }
            if (bad && k % 2 == 1 && c == 1) {
                json.append("\"oops\"");
            } else {
                json.append(values[c]);
            }
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Produces every record to {@code topic} in seq-major order, Kafka key = record key. */
    void produce(String bootstrap, String topic) throws Exception {
        produce(bootstrap, Map.of(), topic);
    }

    /** Like {@link #produce(String, String)}, with more client properties (security). */
    void produce(String bootstrap, Map<String, String> client, String topic) throws Exception {
        Properties props = producerProperties(bootstrap);
        props.putAll(client);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            produce(producer, topic, 0, perKey);
        }
    }

    /** The properties {@link #produce} uses: an idempotent producer batching up to 512 KiB. */
    static Properties producerProperties(String bootstrap) {
        Properties props = TestKafka.producer(bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        return props;
    }

    /**
     * Sends the records of every key with {@code fromSeq <= seq < toSeq} to {@code topic} in
     * seq-major order (Kafka key = record key), and returns once the broker has acknowledged every
     * one of them.
     */
    void produce(KafkaProducer<byte[], byte[]> producer, String topic, int fromSeq, int toSeq)
            throws Exception {
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (int seq = fromSeq; seq < toSeq; seq++) {
            for (int k = 0; k < keys; k++) {
                byte[] key = key(k).getBytes(StandardCharsets.UTF_8);
                producer.send(
                        new ProducerRecord<>(topic, key, payload(k, seq)),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            } else {
                                acknowledged.incrementAndGet();
                            }
                        });
            }
        }
        producer.flush();
        if (failure.get() != null) {
            throw new AssertionError("producing the input failed", failure.get());
        }
        long expected = (long) keys * (toSeq - fromSeq);
        if (acknowledged.get() != expected) {
            throw new AssertionError(
                    "the broker acknowledged "
                            + acknowledged.get()
                            + " of "
                            + expected
                            + " inputs");
        }
    }
}
