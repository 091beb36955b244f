package dev.streamnorm.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.TestKafka;
import dev.streamnorm.jobs.demo.EmbeddedKafka;
import dev.streamnorm.operators.FeatureRecord;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.internal.FlinkKafkaInternalProducer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A transaction that times out while the job is down: the output of a completed checkpoint was
 * written in a transaction (pre-committed, as the Kafka sink does at a checkpoint), then the job
 * went away before committing it, for longer than the transaction timeout, so the broker aborted
 * it. When the job comes back it commits the transactions of its checkpoint with the Kafka sink's
 * own committer: that one fails and is reported on one line naming the output, the transaction and
 * {@code --transaction-timeout}; a transaction that did not time out is committed and not reported.
 * Real broker, real Kafka sink committer; the test plays the part of Flink's runtime.
 */
class TransactionTimeoutITCase {
    private static final String TOPIC = "tt-output";
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aTransactionThatTimedOutWhileTheJobWasDownIsReportedAndTheOthersCommit() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, TOPIC);
            String bootstrap = kafka.bootstrapServers();
            TopicPartition partition = new TopicPartition(TOPIC, 0);

            KafkaCommittable timedOut = precommit(bootstrap, "tt-0-1", "lost", 10);
            awaitAborted(bootstrap, partition);
            KafkaCommittable inTime = precommit(bootstrap, "tt-0-2", "kept", 5);

            KafkaSink<FeatureRecord> sink =
                    KafkaSink.<FeatureRecord>builder()
                            .setBootstrapServers(bootstrap)
                            .setRecordSerializer(KafkaMessages.records(TOPIC))
                            .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                            .setTransactionalIdPrefix("tt")
                            .setProperty(
                                    "transaction.timeout.ms", Long.toString(TIMEOUT.toMillis()))
                            .build();
            List<String> reports = new ArrayList<>();
            Request lost = new Request(timedOut);
            Request kept = new Request(inTime);
            try (TransactionReportingCommitter committer =
                    new TransactionReportingCommitter(
                            sink.createCommitter(committerContext()),
                            "kafka://" + bootstrap + "/" + TOPIC,
                            TIMEOUT,
                            reports::add)) {
                committer.commit(List.of(lost, kept));
            }

            assertThat(lost.outcome).as("the timed-out transaction").startsWith("failed");
            assertThat(kept.outcome).as("the transaction in time").isEqualTo("committed");
            assertThat(reports).as("reports").hasSize(1);
            assertThat(reports.get(0))
                    .contains("kafka://" + bootstrap + "/" + TOPIC)
                    .contains("tt-0-1")
                    .contains("--transaction-timeout (1000 ms)")
                    .contains("missing from the output")
                    .doesNotContain("\n");
            assertThat(committedValues(bootstrap, partition))
                    .as("what a read_committed reader sees")
                    .containsExactly("kept-0", "kept-1", "kept-2", "kept-3", "kept-4");
        }
    }

    /**
     * Writes {@code count} records in a transaction of {@code transactionalId} and leaves it open,
     * as a checkpoint leaves it, then drops the producer, as a job that went down does.
     */
    private static KafkaCommittable precommit(
            String bootstrap, String transactionalId, String prefix, int count) {
        Properties props = TestKafka.producer(bootstrap);
        props.put("transaction.timeout.ms", Long.toString(TIMEOUT.toMillis()));
        FlinkKafkaInternalProducer<byte[], byte[]> producer =
                new FlinkKafkaInternalProducer<>(props, transactionalId);
        producer.initTransactions();
        producer.beginTransaction();
        for (int i = 0; i < count; i++) {
            producer.send(
                    new ProducerRecord<>(
                            TOPIC, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
        KafkaCommittable committable =
                new KafkaCommittable(
                        producer.getProducerId(), producer.getEpoch(), transactionalId, null);
        producer.close(Duration.ZERO);
        return committable;
    }

    /** Waits until the broker has aborted the open transaction (no open transaction is left). */
    private static void awaitAborted(String bootstrap, TopicPartition partition) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                Map<TopicPartition, Long> stable =
                        TestKafka.latestOffsets(
                                admin, List.of(partition), IsolationLevel.READ_COMMITTED);
                Map<TopicPartition, Long> end =
                        TestKafka.latestOffsets(
                                admin, List.of(partition), IsolationLevel.READ_UNCOMMITTED);
                if (stable.equals(end)) {
                    return;
                }
                assertThat(System.nanoTime())
                        .as("the broker aborts the timed-out transaction")
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    private static List<String> committedValues(String bootstrap, TopicPartition partition) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(TestKafka.committedConsumer(bootstrap))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < 5 && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                records.forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
            // anything after the five expected would show up in one more poll
            consumer.poll(Duration.ofMillis(500))
                    .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
        }
        return values;
    }

    /** What Flink's committer operator gives the committer: subtask 0, first attempt. */
    private static CommitterInitContext committerContext() {
        TaskInfoImpl task = new TaskInfoImpl("tt", 1, 0, 1, 0);
        return (CommitterInitContext)
                Proxy.newProxyInstance(
                        CommitterInitContext.class.getClassLoader(),
                        new Class<?>[] {CommitterInitContext.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("getTaskInfo")) {
                                return task;
                            }
                            throw new UnsupportedOperationException(method.getName());
                        });
    }

    /** A commit request as Flink's committer operator makes it, recording how it ended. */
    private static final class Request implements Committer.CommitRequest<KafkaCommittable> {
        private final KafkaCommittable committable;
        String outcome = "committed";

        Request(KafkaCommittable committable) {
            this.committable = committable;
        }

        @Override
        public KafkaCommittable getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            outcome = "failed: " + t;
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            outcome = "failed (unknown reason): " + t;
        }

        @Override
        public void retryLater() {
            outcome = "retry later";
        }

        @Override
        public void updateAndRetryLater(KafkaCommittable committable) {
            outcome = "retry later";
        }

        @Override
        public void signalAlreadyCommitted() {
            outcome = "already committed";
        }
    }
}
