package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.Objects;

/**
 * Where a record came from: a Kafka topic, partition and offset, or a file and line. Dead letters
 * carry it so a bad record can be found at its source.
 */
public final class Origin {
    /** The kind of source. */
    public enum Kind {
        NONE,
        KAFKA,
        FILE
    }

    private static final Origin NONE = new Origin(Kind.NONE, "", 0, 0L);

    private final Kind kind;
    private final String name;
    private final int partition;
    private final long position;

    private Origin(Kind kind, String name, int partition, long position) {
        this.kind = kind;
        this.name = checkNotNull(name);
        this.partition = partition;
        this.position = position;
    }

    /** Unknown origin (records built in code). */
    public static Origin none() {
        return NONE;
    }

    /** A Kafka record. */
    public static Origin kafka(String topic, int partition, long offset) {
        return new Origin(Kind.KAFKA, topic, partition, offset);
    }

    /** A line of a file (1-based). */
    public static Origin file(String path, long line) {
        return new Origin(Kind.FILE, path, 0, line);
    }

    /** Reassembles an origin from its parts (used by serializers). */
    public static Origin of(Kind kind, String name, int partition, long position) {
        return kind == Kind.NONE ? NONE : new Origin(kind, name, partition, position);
    }

    public Kind kind() {
        return kind;
    }

    /** The topic or file path; empty for {@link Kind#NONE}. */
    public String name() {
        return name;
    }

    /** The Kafka partition; 0 otherwise. */
    public int partition() {
        return partition;
    }

    /** The Kafka offset or the file line; 0 for {@link Kind#NONE}. */
    public long position() {
        return position;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Origin)) {
            return false;
        }
        Origin that = (Origin) o;
        return kind == that.kind
                && partition == that.partition
                && position == that.position
                && name.equals(that.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, name, partition, position);
    }

    @Override
    public String toString() {
        switch (kind) {
            case KAFKA:
                return name + "-" + partition + "@" + position;
            case FILE:
                return name + ":" + position;
            default:
                return "unknown";
        }
    }
}
