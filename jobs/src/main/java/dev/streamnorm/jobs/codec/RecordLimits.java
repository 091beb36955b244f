package dev.streamnorm.jobs.codec;

import static org.apache.flink.util.Preconditions.checkArgument;

import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * The size limits of an input record: {@code --max-record-bytes}, checked before parsing, and the
 * limits of Jackson's parser, set here explicitly so that a Jackson upgrade cannot change them. A
 * message over any of them is a dead letter ({@code too-large} for the size, {@code malformed-json}
 * with Jackson's reason for the others), never a failure.
 */
public final class RecordLimits {
    /** The default of {@code --max-record-bytes}: 1 MiB, Kafka's default maximum message size. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

    /** Arrays and objects nested deeper than this are malformed-json. */
    public static final int MAX_NESTING_DEPTH = 1000;

    /** A number written with more characters than this is malformed-json. */
    public static final int MAX_NUMBER_LENGTH = 1000;

    /** A string value longer than this (in characters) is malformed-json. */
    public static final int MAX_STRING_LENGTH = 20_000_000;

    /** A field name longer than this (in characters) is malformed-json. */
    public static final int MAX_NAME_LENGTH = 50_000;

    /** How much of a too-large message its dead letter keeps as {@code input}, in bytes. */
    public static final int TOO_LARGE_INPUT_BYTES = 1024;

    private RecordLimits() {}

    /** Jackson's read constraints for messages of at most {@code maxRecordBytes} bytes. */
    public static StreamReadConstraints readConstraints(int maxRecordBytes) {
        checkArgument(
                maxRecordBytes > 0, "max record bytes must be positive, got %s", maxRecordBytes);
        return StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxDocumentLength(maxRecordBytes)
                .build();
    }

    /**
     * The first {@link #TOO_LARGE_INPUT_BYTES} bytes of {@code payload} (all of it when shorter),
     * cut before a UTF-8 character that would not fit whole.
     */
    public static byte[] prefix(byte[] payload) {
        if (payload.length <= TOO_LARGE_INPUT_BYTES) {
            return payload;
        }
        int end = TOO_LARGE_INPUT_BYTES;
        // Back off over continuation bytes (10xxxxxx) to the start of the character, at most 3.
        for (int i = 0; i < 3 && (payload[end] & 0xC0) == 0x80; i++) {
            end--;
        }
        byte[] prefix = new byte[end];
        System.arraycopy(payload, 0, prefix, 0, end);
        return prefix;
    }
}
