package dev.streamnorm.jobs.codec;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes output records and dead letters as JSON (DESIGN §3) with Jackson's streaming API.
 *
 * <p>An output record is its input message with {@code values} replaced by the normalized values
 * and every other field copied as it was, in its order; a record that carries a stats version gets
 * a top-level {@code "stats_version"} field (replacing one of the input's). Without a stats
 * version, the input's bytes around the {@code values} array are copied as they are (whitespace and
 * number text included; the message is only scanned for where the array starts and ends). Numbers
 * are written as the shortest text that parses back to the same double (Jackson's fast double
 * writer): compare output values as numbers, not as text. Not thread-safe: one per operator
 * instance.
 */
public final class JsonRecordEncoder {
    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                    // Reads only messages that the decoder accepted, whatever their size.
                    .streamReadConstraints(RecordLimits.readConstraints(Integer.MAX_VALUE))
                    .build();

    /** The output field naming the stats version that normalized a record. */
    public static final String STATS_VERSION = "stats_version";

    private final ByteArrayBuilder buffer = new ByteArrayBuilder(1024);

    /** The output message of a normalized record. */
    public byte[] encode(FeatureRecord record) {
        buffer.reset();
        try {
            if (record.payload().length == 0 || !spliceValues(record)) {
                try (JsonGenerator out = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
                    if (record.payload().length == 0) {
                        writeFresh(record, out);
                    } else {
                        writeOverPayload(record, out);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * Writes the payload with its top-level {@code values} array replaced into {@link #buffer}, the
     * bytes before and after the array copied as they are (without leading and trailing
     * whitespace). Returns false, having written nothing, for a record with a stats version or a
     * non-finite value, or a payload without such an array.
     *
     * <p>The decoder's span of the array is used when the record carries it; otherwise the payload
     * is parsed up to the array's {@code [} and its end is the next {@code ]}, as the decoder
     * accepted only numbers in it (checked: any other byte falls back to a parse).
     */
    private boolean spliceValues(FeatureRecord record) throws IOException {
        double[] normalized = record.values();
        if (record.statsVersion() != null || !allFinite(normalized)) {
            return false;
        }
        byte[] payload = record.payload();
        int start = record.valuesStart();
        int end = record.valuesEnd();
        if (start == FeatureRecord.NO_SPAN) {
            long span = valuesSpan(payload);
            if (span < 0) {
                return false;
            }
            start = (int) (span >>> 32);
            end = (int) span;
        }
        // A UTF-8 byte order mark before the record (which the parser skips) is not copied.
        int first = hasByteOrderMark(payload) ? 3 : 0;
        while (first < start && isWhitespace(payload[first])) {
            first++;
        }
        int last = payload.length;
        while (last > end && isWhitespace(payload[last - 1])) {
            last--;
        }
        buffer.write(payload, first, start - first);
        buffer.append('[');
        for (int i = 0; i < normalized.length; i++) {
            if (i > 0) {
                buffer.append(',');
            }
            // What the generator writes for a finite double, without a generator per record.
            String text = NumberOutput.toString(normalized[i], true);
            for (int c = 0; c < text.length(); c++) {
                buffer.append(text.charAt(c));
            }
        }
        buffer.append(']');
        buffer.write(payload, end, last - end);
        return true;
    }

    /**
     * The span of the payload's top-level {@code values} array, start in the high and end in the
     * low 32 bits, or -1 if it has none.
     */
    private static long valuesSpan(byte[] payload) throws IOException {
        try (JsonParser in = JSON.createParser(payload)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                return -1;
            }
            while (true) {
                if (in.nextToken() != JsonToken.FIELD_NAME) {
                    return -1;
                }
                boolean values = in.currentName().equals("values");
                JsonToken value = in.nextToken();
                if (values) {
                    if (value != JsonToken.START_ARRAY) {
                        return -1;
                    }
                    int start = (int) in.currentTokenLocation().getByteOffset();
                    int end = endOfNumbers(payload, start + 1);
                    if (end < 0) {
                        in.skipChildren();
                        end = (int) in.currentLocation().getByteOffset();
                    }
                    return ((long) start << 32) | end;
                }
                in.skipChildren();
            }
        }
    }

    /**
     * The offset after the {@code ]} that closes an array of numbers whose elements start at {@code
     * from}, or -1 if a byte before it cannot be part of an array of numbers.
     */
    private static int endOfNumbers(byte[] payload, int from) {
        for (int i = from; i < payload.length; i++) {
            byte b = payload[i];
            if (b == ']') {
                return i + 1;
            }
            boolean number =
                    (b >= '0' && b <= '9')
                            || b == '-'
                            || b == '+'
                            || b == '.'
                            || b == 'e'
                            || b == 'E'
                            || b == ','
                            || isWhitespace(b);
            if (!number) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean allFinite(double[] values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasByteOrderMark(byte[] payload) {
        return payload.length >= 3
                && payload[0] == (byte) 0xEF
                && payload[1] == (byte) 0xBB
                && payload[2] == (byte) 0xBF;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static void writeFresh(FeatureRecord record, JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeStringField("key", record.key());
        if (record.timestamp() != FeatureRecord.NO_TIMESTAMP) {
            out.writeNumberField("ts", record.timestamp());
        }
        out.writeFieldName("values");
        writeValues(record.values(), out);
        writeStatsVersion(record, out);
        out.writeEndObject();
    }

    private static void writeOverPayload(FeatureRecord record, JsonGenerator out)
            throws IOException {
        try (JsonParser in = JSON.createParser(record.payload())) {
            in.nextToken();
            out.writeStartObject();
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String name = in.currentName();
                in.nextToken();
                if (name.equals(STATS_VERSION) && record.statsVersion() != null) {
                    in.skipChildren();
                    continue;
                }
                out.writeFieldName(name);
                if (name.equals("values")) {
                    in.skipChildren();
                    writeValues(record.values(), out);
                } else {
                    out.copyCurrentStructure(in);
                }
            }
            writeStatsVersion(record, out);
            out.writeEndObject();
        }
    }

    private static void writeStatsVersion(FeatureRecord record, JsonGenerator out)
            throws IOException {
        if (record.statsVersion() != null) {
            out.writeStringField(STATS_VERSION, record.statsVersion());
        }
    }

    private static void writeValues(double[] values, JsonGenerator out) throws IOException {
        out.writeArray(values, 0, values.length);
    }

    /**
     * A dead letter: {@code {"error": code, "message": text, "input": original payload, "source":
     * {"topic", "partition", "offset"} | {"file", "line"}}}.
     */
    public byte[] encode(DeadLetter letter) {
        buffer.reset();
        try (JsonGenerator out = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeStringField("error", letter.error().code());
            out.writeStringField("message", letter.message());
            out.writeStringField("input", new String(letter.payload(), StandardCharsets.UTF_8));
            writeOrigin(letter.origin(), out);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static void writeOrigin(Origin origin, JsonGenerator out) throws IOException {
        out.writeFieldName("source");
        out.writeStartObject();
        switch (origin.kind()) {
            case KAFKA:
                out.writeStringField("topic", origin.name());
                out.writeNumberField("partition", origin.partition());
                out.writeNumberField("offset", origin.position());
                break;
            case FILE:
                out.writeStringField("file", origin.name());
                out.writeNumberField("line", origin.position());
                break;
            default:
                break;
        }
        out.writeEndObject();
    }
}
