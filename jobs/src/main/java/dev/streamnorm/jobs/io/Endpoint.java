package dev.streamnorm.jobs.io;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * A source or sink named by URI: {@code kafka://host:port/topic}, a file ({@code
 * file:///path.jsonl} or a plain path, {@link LocalPath}) or {@code stdout}.
 */
public final class Endpoint implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The kind of endpoint. */
    public enum Kind {
        KAFKA,
        FILE,
        STDOUT
    }

    private final Kind kind;
    private final String location;
    private final String topic;

    private Endpoint(Kind kind, String location, String topic) {
        this.kind = kind;
        this.location = location;
        this.topic = topic;
    }

    /**
     * Parses an endpoint URI.
     *
     * @throws IllegalArgumentException with a message showing the accepted forms
     */
    public static Endpoint parse(String text) {
        String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("stdout")) {
            return new Endpoint(Kind.STDOUT, "", "");
        }
        if (LocalPath.isLocal(trimmed)) {
            Path file = LocalPath.parse(trimmed).toAbsolutePath().normalize();
            return new Endpoint(Kind.FILE, file.toString(), "");
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw invalid(text);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "kafka":
                String topic = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
                checkArgument(
                        uri.getHost() != null
                                && uri.getPort() > 0
                                && !topic.isEmpty()
                                && !topic.contains("/"),
                        "'%s': a Kafka endpoint is kafka://host:port/topic",
                        text);
                return new Endpoint(Kind.KAFKA, uri.getHost() + ":" + uri.getPort(), topic);
            default:
                throw invalid(text);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "'"
                        + text
                        + "' is not an endpoint: use kafka://host:port/topic, file:///path.jsonl"
                        + " (or a plain path) or stdout");
    }

    public Kind kind() {
        return kind;
    }

    /** Kafka bootstrap servers {@code host:port}. */
    public String bootstrapServers() {
        checkArgument(kind == Kind.KAFKA, "not a Kafka endpoint: %s", this);
        return location;
    }

    /** The Kafka topic. */
    public String topic() {
        checkArgument(kind == Kind.KAFKA, "not a Kafka endpoint: %s", this);
        return topic;
    }

    /** The file path. */
    public Path path() {
        checkArgument(kind == Kind.FILE, "not a file endpoint: %s", this);
        return Paths.get(location);
    }

    @Override
    public String toString() {
        switch (kind) {
            case KAFKA:
                return "kafka://" + location + "/" + topic;
            case FILE:
                return Paths.get(location).toUri().toString();
            default:
                return "stdout";
        }
    }
}
