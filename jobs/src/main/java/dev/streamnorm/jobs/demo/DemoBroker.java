package dev.streamnorm.jobs.demo;

import dev.streamnorm.jobs.io.KafkaPreflight;
import dev.streamnorm.jobs.io.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The Kafka cluster the demo runs on: the in-process broker it starts ({@link EmbeddedKafka}), or
 * the user's own ({@code demo --bootstrap-servers}) reached with the {@code --kafka-property}
 * settings, which every client of the demo (admin, producer, job, reader) uses.
 */
public final class DemoBroker implements AutoCloseable {
    private final String bootstrapServers;
    private final KafkaSettings settings;
    private final Duration timeout;
    @Nullable private final EmbeddedKafka embedded;

    private DemoBroker(
            String bootstrapServers,
            KafkaSettings settings,
            Duration timeout,
            @Nullable EmbeddedKafka embedded) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
        this.timeout = timeout;
        this.embedded = embedded;
    }

    /** Starts the in-process broker. */
    static DemoBroker embedded() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        return new DemoBroker(
                kafka.bootstrapServers(), KafkaSettings.none(), Duration.ofSeconds(30), kafka);
    }

    /**
     * The user's cluster at {@code bootstrapServers}, once a broker answered within {@code timeout}
     * and accepted the credentials of {@code settings}.
     *
     * @throws IllegalArgumentException one line (without secrets) saying what is wrong
     */
    static DemoBroker external(String bootstrapServers, KafkaSettings settings, Duration timeout) {
        try (KafkaPreflight preflight = new KafkaPreflight(bootstrapServers, settings, timeout)) {
            preflight.checkReachable();
        }
        return new DemoBroker(bootstrapServers, settings, timeout, null);
    }

    /** Whether this is the user's cluster rather than the in-process broker. */
    boolean isExternal() {
        return embedded == null;
    }

    /** {@code host:port,...} of the cluster. */
    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The client settings every client of the demo uses (secrets masked by its toString). */
    KafkaSettings settings() {
        return settings;
    }

    /** The client settings and the bootstrap servers, for a Kafka client. */
    Properties clientProperties() {
        Properties props = settings.toProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /**
     * Creates those of {@code topics} that do not exist, with {@code partitions} partitions each
     * (the cluster's default replication factor); an existing one must hold no records, so that the
     * demo's count of records in and out is its own.
     *
     * @throws IllegalArgumentException one line (without secrets) saying what is wrong
     */
    void createTopics(int partitions, String... topics) {
        Properties props = clientProperties();
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(millis));
        props.put(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Integer.toString(Math.min(millis, 30_000)));
        try (Admin admin = Admin.create(props)) {
            for (String topic : topics) {
                Optional<TopicDescription> existing = describe(admin, topic);
                if (existing.isEmpty()) {
                    create(admin, new NewTopic(topic, Optional.of(partitions), Optional.empty()));
                } else {
                    long records = records(admin, existing.get());
                    if (records > 0) {
                        throw new IllegalArgumentException(
                                "topic '"
                                        + topic
                                        + "' at "
                                        + where()
                                        + " already holds "
                                        + records
                                        + " records (of an earlier demo?): the demo needs its"
                                        + " topics empty; delete them first");
                    }
                }
            }
        }
    }

    private Optional<TopicDescription> describe(Admin admin, String topic) {
        try {
            return Optional.of(
                    admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw failure("describe topic '" + topic + "'", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void create(Admin admin, NewTopic topic) {
        try {
            admin.createTopics(List.of(topic))
                    .all()
                    .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw failure("create topic '" + topic.name() + "'", e.getCause());
            }
        } catch (TimeoutException e) {
            throw failure("create topic '" + topic.name() + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Records (and transaction markers) between the earliest and the latest offsets. */
    private long records(Admin admin, TopicDescription topic) {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo partition : topic.partitions()) {
            TopicPartition tp = new TopicPartition(topic.name(), partition.partition());
            earliest.put(tp, OffsetSpec.earliest());
            latest.put(tp, OffsetSpec.latest());
        }
        try {
            Map<TopicPartition, ListOffsetsResultInfo> first =
                    admin.listOffsets(earliest).all().get();
            Map<TopicPartition, ListOffsetsResultInfo> last = admin.listOffsets(latest).all().get();
            long records = 0;
            for (TopicPartition tp : earliest.keySet()) {
                records += last.get(tp).offset() - first.get(tp).offset();
            }
            return records;
        } catch (ExecutionException e) {
            throw failure("read the offsets of topic '" + topic.name() + "'", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private IllegalArgumentException failure(String what, Throwable cause) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        int newline = message.indexOf('\n');
        return new IllegalArgumentException(
                where()
                        + ": cannot "
                        + what
                        + ": "
                        + settings.mask(newline < 0 ? message : message.substring(0, newline)));
    }

    private String where() {
        return "kafka://" + bootstrapServers;
    }

    @Override
    public void close() throws Exception {
        if (embedded != null) {
            embedded.close();
        }
    }
}
