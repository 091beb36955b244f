package dev.streamnorm.jobs.pipeline;

import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaPreflight;
import dev.streamnorm.jobs.io.LocalPath;
import dev.streamnorm.jobs.io.SinkProducerSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * What a run checks before its job starts, so that a typo is one clear line and exit code 2, not a
 * job that Flink restarts forever: the input file exists, every output file can be created, a local
 * savepoint exists, the Kafka sinks' producer properties are valid, and every Kafka cluster answers
 * within the timeout, accepts the credentials, has the topics the job reads, and has (or will
 * create) the topics it writes.
 */
public final class Preflight {
    private Preflight() {}

    /**
     * Checks {@code config}'s endpoints and files.
     *
     * @throws IllegalArgumentException one line naming what is wrong
     */
    public static void check(JobConfig config, Duration kafkaTimeout) {
        checkFiles(config);
        for (Map.Entry<String, Topics> cluster : kafkaTopics(config).entrySet()) {
            Topics topics = cluster.getValue();
            if (!topics.output.isEmpty()) {
                SinkProducerSettings.check(config.kafka, config.delivery == Delivery.EXACTLY_ONCE);
            }
            try (KafkaPreflight kafka =
                    new KafkaPreflight(cluster.getKey(), config.kafka, kafkaTimeout)) {
                kafka.checkReachable();
                kafka.checkTopicsExist(topics.input, "input");
                kafka.checkTopicsExist(topics.statsUpdates, "stats-update");
                kafka.checkWritable(topics.output, "output");
                if (!topics.output.isEmpty() && config.delivery == Delivery.EXACTLY_ONCE) {
                    kafka.checkTransactionTimeout(config.transactionTimeout);
                }
            }
        }
    }

    private static void checkFiles(JobConfig config) {
        if (config.input.kind() == Endpoint.Kind.FILE) {
            Path input = config.input.path();
            if (!Files.exists(input)) {
                throw new IllegalArgumentException("input file not found: " + input);
            }
            if (!Files.isReadable(input)) {
                throw new IllegalArgumentException("input file cannot be read: " + input);
            }
        }
        checkWritable(config.output, "output");
        checkWritable(config.deadLetter, "dead-letter");
        checkWritable(config.drift, "drift");
        if (config.statsOut != null) {
            checkWritableFile(config.statsOut, "--stats-out");
        }
        if (config.fromSavepoint != null && config.fromSavepoint.startsWith("file:")) {
            Path savepoint = Paths.get(URI.create(config.fromSavepoint));
            if (!Files.isRegularFile(savepoint.resolve("_metadata"))
                    && !(Files.isRegularFile(savepoint)
                            && savepoint.getFileName().toString().equals("_metadata"))) {
                throw new IllegalArgumentException(
                        "--from-savepoint: no savepoint or retained checkpoint (_metadata) at "
                                + savepoint);
            }
        }
        if (config.checkpointDir != null && LocalPath.isLocal(config.checkpointDir)) {
            Path dir = Paths.get(URI.create(config.checkpointDir));
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new IllegalArgumentException(
                        "--checkpoint-dir: " + dir + " is a file, not a directory");
            }
        }
    }

    private static void checkWritable(@Nullable Endpoint endpoint, String role) {
        if (endpoint != null && endpoint.kind() == Endpoint.Kind.FILE) {
            checkWritableFile(endpoint.path(), role + " file");
        }
    }

    /**
     * Fails unless {@code file} can be created or replaced: it is not a directory, and its nearest
     * existing ancestor is a writable directory (the sinks create missing directories).
     */
    private static void checkWritableFile(Path file, String role) {
        Path absolute = file.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new IllegalArgumentException(role + " " + absolute + " is a directory");
        }
        if (Files.exists(absolute)) {
            if (!Files.isWritable(absolute)) {
                throw new IllegalArgumentException(
                        role + " " + absolute + " cannot be written: permission denied");
            }
            return;
        }
        Path ancestor = absolute.getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null || !Files.isDirectory(ancestor)) {
            throw new IllegalArgumentException(
                    role
                            + " "
                            + absolute
                            + " cannot be written: "
                            + ancestor
                            + " is not a directory");
        }
        if (!Files.isWritable(ancestor)) {
            throw new IllegalArgumentException(
                    role + " " + absolute + " cannot be written: " + ancestor + " is not writable");
        }
    }

    /** The Kafka topics of the job, by bootstrap servers. */
    private static Map<String, Topics> kafkaTopics(JobConfig config) {
        Map<String, Topics> clusters = new LinkedHashMap<>();
        if (config.input.kind() == Endpoint.Kind.KAFKA) {
            topics(clusters, config.input).input.add(config.input.topic());
        }
        if (config.statsUpdates != null) {
            topics(clusters, config.statsUpdates).statsUpdates.add(config.statsUpdates.topic());
        }
        for (Endpoint out : new Endpoint[] {config.output, config.deadLetter, config.drift}) {
            if (out != null && out.kind() == Endpoint.Kind.KAFKA) {
                topics(clusters, out).output.add(out.topic());
            }
        }
        return clusters;
    }

    private static Topics topics(Map<String, Topics> clusters, Endpoint endpoint) {
        return clusters.computeIfAbsent(endpoint.bootstrapServers(), servers -> new Topics());
    }

    private static final class Topics {
        final List<String> input = new ArrayList<>();
        final List<String> statsUpdates = new ArrayList<>();
        final List<String> output = new ArrayList<>();
    }
}
