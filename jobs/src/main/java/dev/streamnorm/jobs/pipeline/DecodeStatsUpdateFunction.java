package dev.streamnorm.jobs.pipeline;

import dev.streamnorm.jobs.codec.BadRecordException;
import dev.streamnorm.jobs.codec.StatsUpdateDecoder;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsUpdate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes stats-update messages ({@link StatsUpdateDecoder}); the version defaults to {@code
 * "<partition>-<offset>"} and the effective time to the Kafka timestamp. A message that is not a
 * valid update goes to {@link Normalization#DEAD_LETTERS} with its origin and is otherwise ignored.
 * Metrics: {@code statsUpdates}, {@code badStatsUpdates}.
 */
final class DecodeStatsUpdateFunction extends ProcessFunction<RawRecord, StatsUpdate> {
    private static final long serialVersionUID = 1L;

    private transient StatsUpdateDecoder decoder;
    private transient Counter updates;
    private transient Counter badUpdates;

    @Override
    public void open(OpenContext openContext) {
        decoder = new StatsUpdateDecoder();
        updates = getRuntimeContext().getMetricGroup().counter("statsUpdates");
        badUpdates = getRuntimeContext().getMetricGroup().counter("badStatsUpdates");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<StatsUpdate> out) {
        try {
            out.collect(
                    decoder.decode(raw.payload, raw.partition + "-" + raw.position, raw.timestamp));
            updates.inc();
        } catch (BadRecordException e) {
            badUpdates.inc();
            ctx.output(Normalization.DEAD_LETTERS, DecodeFunction.deadLetter(raw, e));
        }
    }
}
