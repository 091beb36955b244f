package dev.streamnorm.jobs.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker in its own JVM, the way an operator runs one: KRaft, one combined broker and
 * controller on loopback ports, storage formatted with {@code kafka.tools.StorageTool}, then {@code
 * kafka.Kafka server.properties}. Replication factors are 1, so transactions work on one broker;
 * retention is unlimited, so no test record is ever deleted.
 */
final class KafkaBrokerProcess {
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final JvmProcess process;
    private final String bootstrapServers;

    private KafkaBrokerProcess(JvmProcess process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats storage under {@code dir}, starts the broker and waits until it serves requests. */
    static KafkaBrokerProcess start(JvmProcesses processes, Path dir, Path log4jConfig)
            throws Exception {
        int brokerPort = FreePort.pick();
        int controllerPort = FreePort.pick();
        Path properties = dir.resolve("server.properties");
        Files.createDirectories(dir);
        Files.writeString(properties, serverProperties(dir, brokerPort, controllerPort));
        String classpath = BuildOutputs.kafkaBrokerClasspath();
        List<String> jvmFlags = List.of("-Xms256m", "-Xmx512m");
        Path logs = dir.resolve("logs");

        JvmProcess format =
                processes.start(
                        "kafka-storage-format",
                        classpath,
                        jvmFlags,
                        "kafka.tools.StorageTool",
                        List.of(
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                properties.toString()),
                        Map.of(),
                        logs,
                        log4jConfig);
        if (format.awaitExit(STARTUP) != 0) {
            throw new AssertionError("formatting Kafka storage failed:\n" + format.tail(40));
        }
        JvmProcess broker =
                processes.start(
                        "kafka-broker",
                        classpath,
                        jvmFlags,
                        "kafka.Kafka",
                        List.of(properties.toString()),
                        Map.of(),
                        logs,
                        log4jConfig);
        KafkaBrokerProcess started = new KafkaBrokerProcess(broker, "127.0.0.1:" + brokerPort);
        started.awaitReady();
        return started;
    }

    private static String serverProperties(Path dir, int brokerPort, int controllerPort) {
        String listeners =
                "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort;
        return String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + listeners,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "log.retention.ms=-1",
                "");
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

    /** Creates topics with {@code partitions} partitions each. */
    void createTopics(int partitions, String... topics) throws Exception {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) 1));
        }
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** An admin client of this broker; the caller closes it. */
    Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        return Admin.create(props);
    }
}
