package dev.streamnorm.jobs.codec;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
 * a top-level {@code "stats_version"} field (replacing one of the input's). Numbers are written
 * with full round-trip precision. Not thread-safe: one per operator instance.
 */
public final class JsonRecordEncoder {
    private static final JsonFactory JSON =
            JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** The output field naming the stats version that normalized a record. */
    public static final String STATS_VERSION = "stats_version";

    private final ByteArrayBuilder buffer = new ByteArrayBuilder(1024);

    /** The output message of a normalized record. */
    public byte[] encode(FeatureRecord record) {
        buffer.reset();
        try (JsonGenerator out = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
            if (record.payload().length == 0) {
                writeFresh(record, out);
            } else {
                writeOverPayload(record, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
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
