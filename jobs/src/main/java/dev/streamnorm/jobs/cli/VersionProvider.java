package dev.streamnorm.jobs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code streamnorm --version} prints: the project version, the Flink and Kafka client
 * versions it was built with, and the git commit of the build (from a resource the build fills in).
 */
final class VersionProvider implements CommandLine.IVersionProvider {
    static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() {
        Properties build = buildProperties();
        String commit = value(build, "git.commit", "unknown");
        if ("true".equals(value(build, "git.dirty", "false"))) {
            commit += " (with uncommitted changes)";
        }
        return new String[] {
            "streamnorm " + value(build, "streamnorm.version", "(development build)"),
            "Flink " + value(build, "flink.version", "unknown"),
            "Kafka client " + value(build, "kafka.version", "unknown"),
            "commit " + commit
        };
    }

    static Properties buildProperties() {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return properties;
    }

    /** The property, or {@code fallback} when it is missing or was never filled in. */
    private static String value(Properties properties, String name, String fallback) {
        String value = properties.getProperty(name);
        return value == null || value.isBlank() || value.startsWith("${") ? fallback : value;
    }
}
