package dev.streamnorm.jobs.pipeline;

import dev.streamnorm.jobs.codec.BadRecordException;
import dev.streamnorm.jobs.codec.JsonRecordDecoder;
import dev.streamnorm.jobs.codec.RecordLimits;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes raw messages into {@link FeatureRecord}s; a message that is not a valid record goes to
 * {@link Normalization#DEAD_LETTERS} with its code, reason and origin. The dead letter of a message
 * over {@code --max-record-bytes} keeps only its first {@link RecordLimits#TOO_LARGE_INPUT_BYTES}
 * bytes, so that it fits wherever dead letters go. Metrics: {@code recordsIn} and {@code
 * deadLetters.<code>}.
 */
final class DecodeFunction extends ProcessFunction<RawRecord, FeatureRecord> {
    private static final long serialVersionUID = 1L;

    private final int maxRecordBytes;
    private transient JsonRecordDecoder decoder;
    private transient Counter recordsIn;
    private transient Map<ErrorCode, Counter> deadLetters;

    DecodeFunction(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        decoder = new JsonRecordDecoder(maxRecordBytes);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        recordsIn = metrics.counter("recordsIn");
        deadLetters = new EnumMap<>(ErrorCode.class);
        MetricGroup dead = metrics.addGroup("deadLetters");
        for (ErrorCode code : ErrorCode.values()) {
            deadLetters.put(code, dead.counter(code.code()));
        }
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<FeatureRecord> out) {
        recordsIn.inc();
        try {
            out.collect(decoder.decode(raw.payload, raw.origin(), raw.key, raw.timestamp));
        } catch (BadRecordException e) {
            deadLetters.get(e.error()).inc();
            ctx.output(Normalization.DEAD_LETTERS, deadLetter(raw, e));
        }
    }

    /** The dead letter of a message that could not be decoded, with its payload and origin. */
    static DeadLetter deadLetter(RawRecord raw, BadRecordException e) {
        return new DeadLetter(
                e.error(),
                e.getMessage(),
                e.error() == ErrorCode.TOO_LARGE ? RecordLimits.prefix(raw.payload) : raw.payload,
                raw.origin(),
                raw.key == null ? "" : raw.key);
    }
}
