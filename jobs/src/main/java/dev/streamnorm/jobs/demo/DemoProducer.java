package dev.streamnorm.jobs.demo;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo's input: {@link DemoData}'s records, bad ones among them, sent to a topic on its own
 * thread until the demo's count is reached (or, when the demo keeps running, at its rate until
 * stopped). It counts what it sent, so that the demo can account for every record.
 */
final class DemoProducer implements Runnable {
    private final DemoRun.Settings settings;
    private final DemoBroker kafka;
    private final String topic;
    private final FeatureSummary summary;
    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong producedBad = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;

    /** Sends to {@code topic} on {@code kafka}; the good records' values go to {@code summary}. */
    DemoProducer(
            DemoRun.Settings settings, DemoBroker kafka, String topic, FeatureSummary summary) {
        this.settings = settings;
        this.kafka = kafka;
        this.topic = topic;
        this.summary = summary;
    }

    /** An idempotent producer of string keys and JSON values to {@code kafka}. */
    static Properties properties(DemoBroker kafka) {
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }

    @Override
    public void run() {
        Properties props = properties(kafka);
        DemoData data = new DemoData(settings.keys, settings.features, 42L);
        long started = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (long i = 0; !stopped && (settings.keepRunning || i < settings.records); i++) {
                if (settings.keepRunning) {
                    pace(i, started);
                }
                int key = data.keyOf(i);
                double[] values = data.values(i);
                if (DemoData.isBad(i)) {
                    producedBad.incrementAndGet();
                } else {
                    summary.input(key, values);
                }
                long timestamp = System.currentTimeMillis();
                producer.send(
                        new ProducerRecord<>(
                                topic, DemoData.keyName(key), data.json(i, timestamp, values)));
                produced.incrementAndGet();
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure.set(e);
        }
    }

    private void pace(long i, long started) {
        long due = started + i * 1_000_000_000L / settings.rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    /** Stops sending after the current record. */
    void stop() {
        stopped = true;
    }

    /** The records sent so far. */
    long produced() {
        return produced.get();
    }

    /** The deliberately bad records among them. */
    long producedBad() {
        return producedBad.get();
    }

    /** Why sending failed; null: it has not. */
    @Nullable
    Throwable failure() {
        return failure.get();
    }
}
