package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;

/**
 * Base of the train-mode functions: pending records wait in keyed state until their mini-batch
 * closes, so a checkpoint in the middle of a batch loses nothing and replays nothing twice.
 */
abstract class BatchTrainFunction extends KeyedNormFunction {
    private static final long serialVersionUID = 1L;

    /** The time of the event-time timer that only the final watermark of bounded input fires. */
    static final long END_OF_INPUT = Long.MAX_VALUE;

    BatchTrainFunction(Normalization config) {
        super(config);
    }

    /** With final stats requested, makes sure the key hears about the end of bounded input. */
    void watchEndOfInput(TimerService timers) {
        if (config.emitFinalStats()) {
            timers.registerEventTimeTimer(END_OF_INPUT);
        }
    }

    /** At the end of bounded input: the key's final running stats to the side output. */
    void endOfInput(String key, Context ctx) throws Exception {
        RunningStats stats = statsState.value();
        if (config.emitFinalStats() && stats != null) {
            ctx.output(Normalization.FINAL_STATS, Tuple2.of(key, stats));
        }
    }

    /**
     * Closes one mini-batch of {@code key}: normalizes {@code records} with the batch statistics
     * (or, for n = 1, with the running stats), emits them and folds the batch into the running
     * stats.
     */
    void closeBatch(
            String key,
            ChannelMoments moments,
            RecordShape shape,
            Iterable<FeatureRecord> records,
            Collector<FeatureRecord> out)
            throws Exception {
        RunningStats stored = statsState.value();
        boolean newKey = stored == null;
        RunningStats stats = newKey ? initialStats(key, shape) : stored;
        ChannelNormalizer normalizer = normalizer(shape);
        boolean updated = layer(shape).closeBatch(moments, stats, normalizer);
        for (FeatureRecord record : records) {
            normalizer.apply(record.values(), record.values());
            emit(record, out);
        }
        if (updated) {
            statsState.update(stats);
            metrics.batches.inc();
            if (newKey) {
                metrics.keys.inc();
            }
        } else {
            metrics.singleValueBatches.inc();
        }
    }
}
