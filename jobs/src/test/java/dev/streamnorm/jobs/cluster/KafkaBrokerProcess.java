package dev.streamnorm.jobs.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker in its own JVM, the way an operator runs one: KRaft, a combined broker and
 * controller on loopback ports (one, or a cluster of several, {@link #startCluster}), storage
 * formatted with {@code kafka.tools.StorageTool}, then {@code kafka.Kafka server.properties}.
 * Internal topics are replicated to every broker (a single one works alone); retention is
 * unlimited, so no test record is ever deleted. With a {@link SaslSslSecurity}, clients connect
 * over SASL_SSL with SCRAM-SHA-512 only. It can be killed and restarted on the same storage and
 * ports, as a broker that crashes and comes back.
 */
final class KafkaBrokerProcess {
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final List<String> JVM_FLAGS = List.of("-Xms256m", "-Xmx512m");

    private final JvmProcesses processes;
    private final Path properties;
    private final Path log4jConfig;
    private final String bootstrapServers;
    private final Map<String, String> clientProperties;
    private JvmProcess process;

    private KafkaBrokerProcess(
            JvmProcesses processes,
            Path properties,
            Path log4jConfig,
            String bootstrapServers,
            Map<String, String> clientProperties) {
        this.processes = processes;
        this.properties = properties;
        this.log4jConfig = log4jConfig;
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = clientProperties;
    }

    /** Formats storage under {@code dir}, starts the broker and waits until it serves requests. */
    static KafkaBrokerProcess start(JvmProcesses processes, Path dir, Path log4jConfig)
            throws Exception {
        return start(processes, dir, log4jConfig, null);
    }

    /**
     * Like {@link #start(JvmProcesses, Path, Path)}, with clients authenticated over SASL_SSL as
     * {@code security} says (when not null); {@link #admin()} is then its admin user.
     */
    static KafkaBrokerProcess start(
            JvmProcesses processes, Path dir, Path log4jConfig, @Nullable SaslSslSecurity security)
            throws Exception {
        int brokerPort = FreePort.pick();
        int controllerPort = FreePort.pick();
        KafkaBrokerProcess broker =
                prepare(
                        processes,
                        dir,
                        log4jConfig,
                        security,
                        Uuid.randomUuid().toString(),
                        1,
                        "1@127.0.0.1:" + controllerPort,
                        1,
                        brokerPort,
                        controllerPort);
        broker.launch();
        broker.awaitReady();
        return broker;
    }

    /**
     * A KRaft cluster of {@code nodes} combined brokers and controllers, each its own JVM with its
     * storage under {@code dir/node-<id>}; internal topics are replicated to every node (min ISR
     * 2). Returns them in node id order; each one's {@link #bootstrapServers()} is its own.
     */
    static List<KafkaBrokerProcess> startCluster(
            JvmProcesses processes, Path dir, Path log4jConfig, int nodes) throws Exception {
        int[] brokerPorts = new int[nodes];
        int[] controllerPorts = new int[nodes];
        List<String> voters = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            brokerPorts[i] = FreePort.pick();
            controllerPorts[i] = FreePort.pick();
            voters.add((i + 1) + "@127.0.0.1:" + controllerPorts[i]);
        }
        String clusterId = Uuid.randomUuid().toString();
        List<KafkaBrokerProcess> brokers = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            brokers.add(
                    prepare(
                            processes,
                            dir.resolve("node-" + (i + 1)),
                            log4jConfig,
                            null,
                            clusterId,
                            i + 1,
                            String.join(",", voters),
                            nodes,
                            brokerPorts[i],
                            controllerPorts[i]));
        }
        for (KafkaBrokerProcess broker : brokers) {
            broker.launch();
        }
        for (KafkaBrokerProcess broker : brokers) {
            broker.awaitReady();
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        try (Admin admin = brokers.get(0).admin()) {
            while (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() < nodes) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not all " + nodes + " brokers registered in time");
                }
                Thread.sleep(200);
            }
        }
        return brokers;
    }

    /** Writes the broker's configuration and formats its storage; does not start it. */
    private static KafkaBrokerProcess prepare(
            JvmProcesses processes,
            Path dir,
            Path log4jConfig,
            @Nullable SaslSslSecurity security,
            String clusterId,
            int nodeId,
            String voters,
            int replication,
            int brokerPort,
            int controllerPort)
            throws Exception {
        Path properties = dir.resolve("server.properties");
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>(commonProperties(dir, nodeId, voters, replication));
        if (security == null) {
            lines.addAll(plaintextListeners(brokerPort, controllerPort));
        } else {
            lines.addAll(security.serverProperties(brokerPort, controllerPort));
        }
        Files.writeString(properties, String.join("\n", lines) + "\n");
        List<String> format =
                new ArrayList<>(List.of("format", "-t", clusterId, "-c", properties.toString()));
        if (security != null) {
            format.addAll(security.formatArguments());
        }
        JvmProcess formatting =
                processes.start(
                        "kafka-storage-format",
                        BuildOutputs.kafkaBrokerClasspath(),
                        JVM_FLAGS,
                        "kafka.tools.StorageTool",
                        format,
                        Map.of(),
                        dir.resolve("logs"),
                        log4jConfig);
        if (formatting.awaitExit(STARTUP) != 0) {
            throw new AssertionError("formatting Kafka storage failed:\n" + formatting.tail(40));
        }
        Map<String, String> client =
                security == null
                        ? Map.of()
                        : security.clientProperties(SaslSslSecurity.ADMIN, security.adminPassword);
        return new KafkaBrokerProcess(
                processes, properties, log4jConfig, "127.0.0.1:" + brokerPort, client);
    }

    private void launch() throws Exception {
        process =
                processes.start(
                        "kafka-broker",
                        BuildOutputs.kafkaBrokerClasspath(),
                        JVM_FLAGS,
                        "kafka.Kafka",
                        List.of(properties.toString()),
                        Map.of(),
                        properties.resolveSibling("logs"),
                        log4jConfig);
    }

    /** Kills the broker with SIGKILL: no clean shutdown, open transactions stay open. */
    void kill() {
        process.kill();
    }

    /** Starts the broker again on its storage and ports and waits until it serves requests. */
    void restart() throws Exception {
        if (process.isAlive()) {
            throw new IllegalStateException("the broker still runs: " + process);
        }
        launch();
        awaitReady();
    }

    private static List<String> plaintextListeners(int brokerPort, int controllerPort) {
        return List.of(
                "listeners=PLAINTEXT://127.0.0.1:"
                        + brokerPort
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    }

    private static List<String> commonProperties(
            Path dir, int nodeId, String voters, int replication) {
        return List.of(
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.voters=" + voters,
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=" + replication,
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=" + replication,
                "transaction.state.log.min.isr=" + Math.min(2, replication),
                "transaction.state.log.num.partitions=4",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "log.retention.ms=-1");
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the Kafka broker exited:\n" + process.tail(60));
            }
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new AssertionError(
                "the Kafka broker did not serve requests within "
                        + STARTUP.toSeconds()
                        + " s: "
                        + last
                        + "\n"
                        + process.tail(60));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates topics with {@code partitions} partitions each, on this broker only. */
    void createTopics(int partitions, String... topics) throws Exception {
        createTopics(partitions, 1, topics);
    }

    /** Creates topics with {@code partitions} partitions of {@code replicas} replicas each. */
    void createTopics(int partitions, int replicas, String... topics) throws Exception {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) replicas));
        }
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The properties a client of this broker needs besides the bootstrap servers (admin's). */
    Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** Adds a SCRAM user with Kafka's Admin API (a broker started with security only). */
    void createScramUser(String user, String password) throws Exception {
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(
                            List.of(
                                    new UserScramCredentialUpsertion(
                                            user,
                                            new ScramCredentialInfo(
                                                    ScramMechanism.SCRAM_SHA_512, 4096),
                                            password)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** An admin client of this broker; the caller closes it. */
    Admin admin() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        return Admin.create(props);
    }
}
