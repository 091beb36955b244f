package dev.streamnorm.jobs.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import java.io.IOException;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * Reads one JSON record (DESIGN §3) with Jackson's streaming parser: {@code {"key": "...", "ts":
 * 1732272000000, "values": [0.31, -1.2, 4.0], ...}}.
 *
 * <p>A message over {@code maxRecordBytes} is {@code too-large} before it is parsed; Jackson's
 * limits ({@link RecordLimits}) make any other message too large for it {@code malformed-json}. The
 * whole message is read before anything is reported, so the error code is the first that applies in
 * the order {@code malformed-json}, {@code missing-values}, {@code not-a-number}, {@code
 * non-finite} (NaN, Infinity and numbers beyond the double range), then {@code bad-field} for a key
 * or ts of the wrong type. The record keeps the original bytes, so every other field passes through
 * unchanged, and where the values array's text is in them, so the output can replace it without a
 * parse. Not thread-safe: one per operator instance.
 */
public final class JsonRecordDecoder {
    private final JsonFactory json;
    private final int maxRecordBytes;

    private double[] buffer = new double[64];

    /** A decoder of messages of at most {@link RecordLimits#DEFAULT_MAX_RECORD_BYTES}. */
    public JsonRecordDecoder() {
        this(RecordLimits.DEFAULT_MAX_RECORD_BYTES);
    }

    /** A decoder of messages of at most {@code maxRecordBytes} bytes. */
    public JsonRecordDecoder(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
        this.json =
                JsonFactory.builder()
                        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        // The same doubles as Double.parseDouble, several times faster.
                        .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                        .streamReadConstraints(RecordLimits.readConstraints(maxRecordBytes))
                        .build();
    }

    /**
     * Decodes {@code payload}.
     *
     * @param fallbackKey the key when the message has none (the Kafka record key), or null
     * @param fallbackTimestamp the event time when the message has no {@code ts}, or {@link
     *     FeatureRecord#NO_TIMESTAMP}
     * @throws BadRecordException with the dead-letter code and reason
     */
    public FeatureRecord decode(
            byte[] payload, Origin origin, @Nullable String fallbackKey, long fallbackTimestamp)
            throws BadRecordException {
        if (payload.length > maxRecordBytes) {
            throw new BadRecordException(
                    ErrorCode.TOO_LARGE,
                    "the record has more than "
                            + maxRecordBytes
                            + " bytes (--max-record-bytes); input holds its first "
                            + RecordLimits.TOO_LARGE_INPUT_BYTES
                            + " bytes");
        }
        Fields fields = new Fields();
        try (JsonParser parser = json.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRecordException(
                        ErrorCode.MALFORMED_JSON, "a record must be a JSON object");
            }
            readFields(parser, fields);
            if (parser.nextToken() != null) {
                throw new BadRecordException(
                        ErrorCode.MALFORMED_JSON, "unexpected content after the record");
            }
        } catch (JsonProcessingException e) {
            throw new BadRecordException(ErrorCode.MALFORMED_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRecordException(ErrorCode.MALFORMED_JSON, e.getMessage());
        }
        fields.check();
        String key = fields.key != null ? fields.key : fallbackKey != null ? fallbackKey : "";
        long timestamp = fields.hasTimestamp ? fields.timestamp : fallbackTimestamp;
        return new FeatureRecord(
                key,
                timestamp,
                Arrays.copyOf(buffer, fields.length),
                payload,
                origin,
                null,
                fields.valuesStart,
                fields.valuesEnd);
    }

    private void readFields(JsonParser parser, Fields fields) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "values":
                    readValues(parser, value, fields);
                    break;
                case "key":
                    if (value == JsonToken.VALUE_STRING) {
                        fields.key = parser.getText();
                    } else if (value != JsonToken.VALUE_NULL) {
                        fields.badField("key must be a string, got " + describe(parser, value));
                        parser.skipChildren();
                    }
                    break;
                case "ts":
                    if (value == JsonToken.VALUE_NUMBER_INT) {
                        fields.timestamp = parser.getLongValue();
                        fields.hasTimestamp = true;
                    } else if (value != JsonToken.VALUE_NULL) {
                        fields.badField("ts must be epoch milliseconds (an integer)");
                        parser.skipChildren();
                    }
                    break;
                default:
                    skipPassThrough(parser, value);
            }
        }
    }

    /**
     * Skips a pass-through field's value. NaN and Infinity are read as numbers only in {@code
     * values} (a {@code non-finite} record); anywhere else they are not JSON, and the output, which
     * carries pass-through fields as they are, must stay JSON.
     */
    private static void skipPassThrough(JsonParser parser, JsonToken value) throws IOException {
        int depth = value.isStructStart() ? 1 : 0;
        JsonToken token = value;
        while (true) {
            if (token == JsonToken.VALUE_NUMBER_FLOAT && parser.isNaN()) {
                throw new JsonParseException(
                        parser,
                        "NaN and Infinity are numbers only in \"values\": " + parser.getText());
            }
            if (depth == 0) {
                return;
            }
            token = parser.nextToken();
            if (token == null) {
                return;
            }
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
        }
    }

    private void readValues(JsonParser parser, JsonToken value, Fields fields) throws IOException {
        fields.hasValues = true;
        if (value != JsonToken.START_ARRAY) {
            fields.notANumber("values must be an array of numbers");
            parser.skipChildren();
            return;
        }
        fields.valuesStart = (int) parser.currentTokenLocation().getByteOffset();
        int n = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                double v = parser.getDoubleValue();
                if (!Double.isFinite(v)) {
                    fields.nonFinite("values[" + n + "] is " + parser.getText());
                }
                // n passes the buffer's end unwritten after a non-number: grow past it.
                if (n >= buffer.length) {
                    buffer = Arrays.copyOf(buffer, 2 * n);
                }
                buffer[n] = v;
            } else {
                fields.notANumber("values[" + n + "] is not a number: " + describe(parser, token));
                parser.skipChildren();
            }
            n++;
        }
        fields.valuesEnd = (int) parser.currentLocation().getByteOffset();
        fields.length = n;
    }

    private static String describe(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_ARRAY:
                return "an array";
            case START_OBJECT:
                return "an object";
            case VALUE_STRING:
                return '"' + parser.getText() + '"';
            default:
                return parser.getText();
        }
    }

    /** What the parser found, and the first problem of each kind. */
    private static final class Fields {
        @Nullable String key;
        long timestamp;
        boolean hasTimestamp;
        boolean hasValues;
        int length;
        // The values array's text in the payload, from its '[' to after its ']'.
        int valuesStart = FeatureRecord.NO_SPAN;
        int valuesEnd = FeatureRecord.NO_SPAN;
        @Nullable String notANumber;
        @Nullable String nonFinite;
        @Nullable String badField;

        void notANumber(String message) {
            if (notANumber == null) {
                notANumber = message;
            }
        }

        void nonFinite(String message) {
            if (nonFinite == null) {
                nonFinite = message + "; only finite numbers are allowed";
            }
        }

        void badField(String message) {
            if (badField == null) {
                badField = message;
            }
        }

        void check() throws BadRecordException {
            if (!hasValues) {
                throw new BadRecordException(
                        ErrorCode.MISSING_VALUES, "the record has no 'values' field");
            }
            if (notANumber != null) {
                throw new BadRecordException(ErrorCode.NOT_A_NUMBER, notANumber);
            }
            if (nonFinite != null) {
                throw new BadRecordException(ErrorCode.NON_FINITE, nonFinite);
            }
            if (badField != null) {
                throw new BadRecordException(ErrorCode.BAD_FIELD, badField);
            }
        }
    }
}
