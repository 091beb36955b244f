package dev.streamnorm.jobs.cluster;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * {@link SequencedFeatures} produced in stages of {@code seq}, so that a fault test knows its run
 * still has input to read when it disrupts something. The first stage is committed at once; each
 * later stage is written in a transaction of its own that stays open until the test {@linkplain
 * #releaseNext() releases} it, in order.
 *
 * <p>A run reads {@code read_committed}, so it cannot get past a stage that is not released yet. A
 * {@code --bounded} run still reads every stage: its stopping offsets are the partitions' latest
 * offsets when it starts, and these count the records of open transactions.
 */
final class GatedInput implements AutoCloseable {
    /** Longer than any test holds a stage back; the brokers' maximum is 15 minutes. */
    private static final int TRANSACTION_TIMEOUT_MS = 10 * 60 * 1000;

    private final Deque<KafkaProducer<byte[], byte[]>> held = new ArrayDeque<>();

    /**
     * Produces all of {@code input} to {@code topic}: the records with {@code seq} below {@code
     * stageStarts[0]} committed, then one open transaction per stage that starts at the next seq of
     * {@code stageStarts} (ascending, each above 0 and below the records per key).
     */
    GatedInput(SequencedFeatures input, String bootstrap, String topic, int... stageStarts)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> first =
                new KafkaProducer<>(SequencedFeatures.producerProperties(bootstrap))) {
            input.produce(first, topic, 0, stageStarts[0]);
        }
        for (int i = 0; i < stageStarts.length; i++) {
            int to = i + 1 < stageStarts.length ? stageStarts[i + 1] : input.perKey;
            Properties props = SequencedFeatures.producerProperties(bootstrap);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "gated-input-" + i);
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
            held.add(producer);
            producer.initTransactions();
            producer.beginTransaction();
            // Acknowledged before the next stage starts, so each partition holds the stages in
            // order and every key's records stay in seq order.
            input.produce(producer, topic, stageStarts[i], to);
        }
    }

    /** Commits the earliest stage still held back, which lets a reader go on to the next one. */
    void releaseNext() {
        KafkaProducer<byte[], byte[]> producer = held.removeFirst();
        try (producer) {
            producer.commitTransaction();
        }
    }

    /** Closes the producers of stages never released; the brokers abort them at the timeout. */
    @Override
    public void close() {
        while (!held.isEmpty()) {
            held.removeFirst().close();
        }
    }
}
