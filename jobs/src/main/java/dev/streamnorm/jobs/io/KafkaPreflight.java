package dev.streamnorm.jobs.io;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks one Kafka cluster, before a job starts, what the job would otherwise find out by retrying
 * forever: whether a broker answers within a bounded wait, whether the credentials work, whether
 * the topics it reads exist, and whether the topics it writes exist or will be created.
 */
public final class KafkaPreflight implements AutoCloseable {
    private final String bootstrapServers;
    private final KafkaSettings settings;
    private final Duration timeout;
    private final Admin admin;
    @Nullable private Map<String, String> brokerConfig;

    /** Connects to {@code bootstrapServers} with the job's client properties. */
    public KafkaPreflight(String bootstrapServers, KafkaSettings settings, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
        this.timeout = timeout;
        Properties properties = settings.toProperties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(millis));
        properties.put(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Integer.toString(Math.min(millis, 30_000)));
        properties.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "streamnorm-preflight");
        try {
            this.admin = Admin.create(properties);
        } catch (KafkaException e) {
            // Settings the client cannot use (a truststore that does not open, a bad JAAS line).
            throw new IllegalArgumentException(
                    where() + ": cannot set up a Kafka client: " + causes(e));
        }
    }

    /**
     * What the innermost Kafka exception in {@code e}'s causes says, and its cause (for a
     * truststore: which file, and that its password is wrong), on one line.
     */
    private String causes(KafkaException e) {
        Throwable innermost = e;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof KafkaException) {
                innermost = t;
            }
        }
        String text = firstLine(innermost.getMessage());
        Throwable cause = innermost.getCause();
        if (cause != null && cause.getMessage() != null) {
            text += ": " + firstLine(cause.getMessage());
        }
        return text;
    }

    /**
     * Fails unless a broker answers within the timeout and accepts the credentials.
     *
     * @throws IllegalArgumentException one line saying what is wrong
     */
    public void checkReachable() {
        DescribeClusterOptions options =
                new DescribeClusterOptions().timeoutMs((int) timeout.toMillis());
        Collection<Node> nodes = await(admin.describeCluster(options).nodes(), "reach a broker");
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException(where() + ": the cluster has no brokers");
        }
    }

    /** Fails unless every topic in {@code topics} exists (the topics a job reads). */
    public void checkTopicsExist(Collection<String> topics, String role) {
        for (String topic : topics) {
            if (!exists(topic)) {
                throw new IllegalArgumentException(
                        role + " topic '" + topic + "' does not exist at " + where());
            }
        }
    }

    /**
     * Fails for a topic in {@code topics} that does not exist when the brokers do not create topics
     * on first write ({@code auto.create.topics.enable=false}).
     */
    public void checkWritable(Collection<String> topics, String role) {
        List<String> missing = new ArrayList<>();
        for (String topic : topics) {
            if (!exists(topic)) {
                missing.add(topic);
            }
        }
        if (!missing.isEmpty() && "false".equals(brokerSetting("auto.create.topics.enable"))) {
            throw new IllegalArgumentException(
                    role
                            + " topic '"
                            + missing.get(0)
                            + "' does not exist at "
                            + where()
                            + " and the brokers do not create topics automatically: create it first");
        }
    }

    /** Fails when {@code transactionTimeout} exceeds the brokers' transaction.max.timeout.ms. */
    public void checkTransactionTimeout(Duration transactionTimeout) {
        String max = brokerSetting("transaction.max.timeout.ms");
        if (max != null && transactionTimeout.toMillis() > Long.parseLong(max)) {
            throw new IllegalArgumentException(
                    "--transaction-timeout "
                            + transactionTimeout.toMillis()
                            + " ms exceeds the brokers' transaction.max.timeout.ms ("
                            + max
                            + " ms) at "
                            + where());
        }
    }

    private boolean exists(String topic) {
        try {
            Map<String, TopicDescription> found =
                    admin.describeTopics(
                                    Set.of(topic),
                                    new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis()))
                            .allTopicNames()
                            .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return found.containsKey(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw failure("describe topic '" + topic + "'", e.getCause());
        } catch (TimeoutException e) {
            throw timedOut("describe topic '" + topic + "'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One broker's setting, or null when the brokers do not let this client read it. */
    @Nullable
    private String brokerSetting(String name) {
        if (brokerConfig == null) {
            brokerConfig = readBrokerConfig();
        }
        return brokerConfig.get(name);
    }

    private Map<String, String> readBrokerConfig() {
        try {
            Collection<Node> nodes = await(admin.describeCluster().nodes(), "reach a broker");
            ConfigResource broker =
                    new ConfigResource(
                            ConfigResource.Type.BROKER,
                            Integer.toString(nodes.iterator().next().id()));
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(
                                    List.of(broker),
                                    new DescribeConfigsOptions()
                                            .timeoutMs((int) timeout.toMillis()))
                            .all()
                            .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            Map<String, String> values = new java.util.HashMap<>();
            for (ConfigEntry entry : configs.get(broker).entries()) {
                if (entry.value() != null) {
                    values.put(entry.name(), entry.value());
                }
            }
            return values;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                return Map.of();
            }
            throw failure("read the broker configuration", e.getCause());
        } catch (TimeoutException e) {
            throw timedOut("read the broker configuration");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(what, e.getCause());
        } catch (TimeoutException e) {
            throw timedOut(what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private IllegalArgumentException failure(String what, Throwable cause) {
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return timedOut(what);
        }
        if (cause instanceof AuthenticationException) {
            return new IllegalArgumentException(
                    where() + ": authentication failed: " + firstLine(cause.getMessage()));
        }
        if (cause instanceof AuthorizationException) {
            return new IllegalArgumentException(
                    where() + ": not authorized to " + what + ": " + firstLine(cause.getMessage()));
        }
        return new IllegalArgumentException(
                where() + ": cannot " + what + ": " + firstLine(String.valueOf(cause)));
    }

    private IllegalArgumentException timedOut(String what) {
        return new IllegalArgumentException(
                "cannot "
                        + what
                        + " at "
                        + where()
                        + " within "
                        + timeout.toSeconds()
                        + " s (is a broker running there? see --kafka-timeout)");
    }

    private String where() {
        return "kafka://" + bootstrapServers;
    }

    /** The first line of a client's {@code message}, without any secret of the settings. */
    private String firstLine(@Nullable String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return settings.mask(newline < 0 ? message : message.substring(0, newline));
    }

    @Override
    public void close() {
        admin.close(Duration.ZERO);
    }
}
