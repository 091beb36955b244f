package dev.streamnorm.jobs.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real Kafka broker (KRaft, one combined broker + controller) in this JVM, from the official
 * Kafka artifacts, started the way {@code kafka.Kafka} starts one: a {@code server.properties} in a
 * temporary directory, its storage formatted by {@code StorageTool}, then {@link KafkaRaftServer}.
 * Its broker and controller listen on free ports of 127.0.0.1 only (Kafka's test kit would bind
 * every interface). Replication factors are 1, so transactions work on a single broker. For {@code
 * streamnorm demo} and the integration tests.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final long STARTUP_MILLIS = 60_000;

    private final KafkaRaftServer server;
    private final Path dir;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaRaftServer server, Path dir, String bootstrapServers) {
        this.server = server;
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats storage in a temporary directory, starts the broker and waits until it serves. */
    public static EmbeddedKafka start() throws Exception {
        Path dir = Files.createTempDirectory("streamnorm-kafka-");
        int brokerPort = freeLoopbackPort();
        int controllerPort = freeLoopbackPort();
        Properties props = serverProperties(dir, brokerPort, controllerPort);
        Path file = dir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, "streamnorm's in-process Kafka broker");
        }
        String[] format = {"format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()};
        if (StorageTool.execute(format, new PrintStream(OutputStream.nullOutputStream())) != 0) {
            deleteRecursively(dir);
            throw new IllegalStateException("formatting the Kafka storage in " + dir + " failed");
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        EmbeddedKafka kafka = new EmbeddedKafka(server, dir, "127.0.0.1:" + brokerPort);
        try {
            server.startup();
            kafka.awaitBroker();
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    private static Properties serverProperties(Path dir, int brokerPort, int controllerPort) {
        Properties props = new Properties();
        props.putAll(
                Map.ofEntries(
                        Map.entry("process.roles", "broker,controller"),
                        Map.entry("node.id", "1"),
                        Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                        Map.entry(
                                "listeners",
                                "PLAINTEXT://127.0.0.1:"
                                        + brokerPort
                                        + ",CONTROLLER://127.0.0.1:"
                                        + controllerPort),
                        Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort),
                        Map.entry("controller.listener.names", "CONTROLLER"),
                        Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                        Map.entry(
                                "listener.security.protocol.map",
                                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                        Map.entry("log.dirs", dir.resolve("data").toString()),
                        Map.entry("offsets.topic.replication.factor", "1"),
                        Map.entry("offsets.topic.num.partitions", "4"),
                        Map.entry("transaction.state.log.replication.factor", "1"),
                        Map.entry("transaction.state.log.min.isr", "1"),
                        Map.entry("transaction.state.log.num.partitions", "4"),
                        Map.entry("group.initial.rebalance.delay.ms", "0"),
                        Map.entry("auto.create.topics.enable", "false"),
                        Map.entry("log.flush.interval.messages", Long.toString(Long.MAX_VALUE))));
        return props;
    }

    /** Waits until the broker answers a client (registered with its controller, unfenced). */
    private void awaitBroker() throws Exception {
        long deadline = System.currentTimeMillis() + STARTUP_MILLIS;
        try (Admin admin = admin()) {
            while (admin.describeCluster()
                    .nodes()
                    .get(STARTUP_MILLIS, TimeUnit.MILLISECONDS)
                    .isEmpty()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(
                            "the in-process Kafka broker did not start within "
                                    + STARTUP_MILLIS / 1000
                                    + " s");
                }
                Thread.sleep(50);
            }
        }
    }

    /** {@code host:port} of the broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates topics with {@code partitions} partitions each (replication factor 1). */
    public void createTopics(int partitions, String... topics) throws Exception {
        try (Admin admin = admin()) {
            List<NewTopic> newTopics =
                    Stream.of(topics).map(t -> new NewTopic(t, partitions, (short) 1)).toList();
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(props);
    }

    @Override
    public void close() throws Exception {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            deleteRecursively(dir);
        }
    }

    /** A port of 127.0.0.1 that is free now. */
    static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
