package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

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
