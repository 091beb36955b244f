package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * What the build of this module left in {@code target/} for the cluster tests: the job jar, the
 * test classes and the classpaths of the Flink and Kafka JVMs ({@code maven-dependency-plugin}
 * executions in {@code jobs/pom.xml}, phase {@code package}).
 */
final class BuildOutputs {
    private BuildOutputs() {}

    /** {@code jobs/target}: integration tests run after {@code package}, from the module dir. */
    static Path target() {
        return Paths.get("target").toAbsolutePath().normalize();
    }

    /**
     * A new directory {@code target/cluster-it/<name>-<time>} for one test's configuration, data
     * and logs, holding the log4j configuration of the JVMs the test starts ({@code
     * log4j2.properties}).
     */
    static Path runDirectory(String name) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir =
                Files.createDirectories(target().resolve("cluster-it").resolve(name + "-" + stamp));
        try (InputStream config =
                BuildOutputs.class.getResourceAsStream("/cluster/log4j2.properties")) {
            Files.copy(config, dir.resolve("log4j2.properties"));
        }
        return dir;
    }

    /** The shaded job jar that {@code flink run} gets. */
    static Path jobJar() {
        return existing(target().resolve("streamnorm.jar"));
    }

    /** The compiled test classes, as a directory. */
    static Path testClasses() {
        return existing(target().resolve("test-classes"));
    }

    /** The lib/ of a Flink distribution: Flink, its dependencies, log4j. */
    static String flinkClasspath() {
        return classpath("flink-cluster-classpath.txt");
    }

    /** What the launcher ({@code ./streamnorm}) puts next to the job jar: Flink, logging. */
    static String localClasspath() {
        return classpath("local-classpath.txt");
    }

    /** The launcher's log4j configuration: everything to a log file, one-line errors. */
    static Path launcherLog4jConfig() {
        return existing(target().resolveSibling("src/main/local/log4j2-cli.properties"));
    }

    /** The Kafka broker and its dependencies, log4j. */
    static String kafkaBrokerClasspath() {
        return classpath("kafka-broker-classpath.txt");
    }

    private static String classpath(String file) {
        try {
            return Files.readString(existing(target().resolve(file))).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path existing(Path path) {
        assertThat(path)
                .as("%s is built by `mvn -pl jobs -am package` before the integration tests", path)
                .exists();
        return path;
    }
}
