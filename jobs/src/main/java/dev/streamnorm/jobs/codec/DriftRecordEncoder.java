package dev.streamnorm.jobs.codec;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.state.DriftStats;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes drift records as JSON (DESIGN §8), one object per record:
 *
 * <pre>{@code
 * {"key": "sensor-7", "ts": 1732272060000, "stats_version": "initial", "records": 1200,
 *  "features": [{"shift": 0.12, "var_ratio": 0.97, "psi": 0.01, "mean": .., "var": ..,
 *                "served_mean": .., "served_var": .., "histogram": [10 shares]}, ...],
 *  "worst_shift": {"feature": 0, "shift": 0.12}, "max_psi": {"feature": 2, "psi": 0.03},
 *  "alert": false}
 * }</pre>
 *
 * <p>{@code served_var} includes eps; {@code ts} is null when the key's records had no event time;
 * a number that is not finite (a served variance of 0) is written as null. Numbers have full
 * round-trip precision. Not thread-safe: one per operator instance.
 */
public final class DriftRecordEncoder {
    private static final JsonFactory JSON = new JsonFactory();

    private final ByteArrayBuilder buffer = new ByteArrayBuilder(1024);

    /** The JSON of {@code report}. */
    public byte[] encode(DriftReport report) {
        buffer.reset();
        try (JsonGenerator out = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
            write(report, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static void write(DriftReport report, JsonGenerator out) throws IOException {
        DriftStats stats = report.stats();
        out.writeStartObject();
        out.writeStringField("key", report.key());
        out.writeFieldName("ts");
        if (report.timestamp() == FeatureRecord.NO_TIMESTAMP) {
            out.writeNull();
        } else {
            out.writeNumber(report.timestamp());
        }
        out.writeStringField("stats_version", report.statsVersion());
        out.writeNumberField("records", stats.records());
        out.writeArrayFieldStart("features");
        for (int c = 0; c < stats.channels(); c++) {
            writeFeature(stats, c, out);
        }
        out.writeEndArray();
        int worst = stats.worstShiftChannel();
        out.writeObjectFieldStart("worst_shift");
        out.writeNumberField("feature", worst);
        number(out, "shift", stats.shift(worst));
        out.writeEndObject();
        int maxPsi = stats.maxPsiChannel();
        out.writeObjectFieldStart("max_psi");
        out.writeNumberField("feature", maxPsi);
        number(out, "psi", stats.psi(maxPsi));
        out.writeEndObject();
        out.writeBooleanField("alert", report.alert());
        out.writeEndObject();
    }

    private static void writeFeature(DriftStats stats, int c, JsonGenerator out)
            throws IOException {
        out.writeStartObject();
        number(out, "shift", stats.shift(c));
        number(out, "var_ratio", stats.varianceRatio(c));
        number(out, "psi", stats.psi(c));
        number(out, "mean", stats.mean(c));
        number(out, "var", stats.variance(c));
        number(out, "served_mean", stats.servedMean(c));
        number(out, "served_var", stats.servedVariance(c));
        out.writeArrayFieldStart("histogram");
        for (int k = 0; k < DriftStats.BINS; k++) {
            out.writeNumber(stats.histogram(c, k));
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private static void number(JsonGenerator out, String field, double value) throws IOException {
        out.writeFieldName(field);
        if (Double.isFinite(value)) {
            out.writeNumber(value);
        } else {
            out.writeNull();
        }
    }
}
