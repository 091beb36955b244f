package dev.streamnorm.jobs.io;

import dev.streamnorm.operators.Origin;
import javax.annotation.Nullable;

/**
 * A message as a source read it, before decoding: payload bytes, the Kafka key and timestamp if
 * any, and where it came from. A Flink POJO (public fields, no-arg constructor), so it never goes
 * through Kryo.
 */
public class RawRecord {
    /** The message bytes. */
    public byte[] payload;

    /** The Kafka record key as UTF-8 text, or null. */
    @Nullable public String key;

    /** The Kafka record timestamp, or {@link Long#MIN_VALUE}. */
    public long timestamp = Long.MIN_VALUE;

    /** {@code true} for a Kafka record, {@code false} for a line of a file. */
    public boolean kafka;

    /** The topic or file path. */
    public String source = "";

    /** The Kafka partition. */
    public int partition;

    /** The Kafka offset or the 1-based file line. */
    public long position;

    public RawRecord() {}

    /** A Kafka record. */
    public static RawRecord fromKafka(
            byte[] payload,
            @Nullable String key,
            long timestamp,
            String topic,
            int partition,
            long offset) {
        RawRecord raw = new RawRecord();
        raw.payload = payload;
        raw.key = key;
        raw.timestamp = timestamp;
        raw.kafka = true;
        raw.source = topic;
        raw.partition = partition;
        raw.position = offset;
        return raw;
    }

    /** A line of a file. */
    public static RawRecord fromFile(byte[] payload, String path, long line) {
        RawRecord raw = new RawRecord();
        raw.payload = payload;
        raw.source = path;
        raw.position = line;
        return raw;
    }

    /** Where the message came from. */
    public Origin origin() {
        return kafka ? Origin.kafka(source, partition, position) : Origin.file(source, position);
    }
}
