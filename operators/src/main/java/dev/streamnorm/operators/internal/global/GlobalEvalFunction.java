package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.internal.NormMetrics;
import dev.streamnorm.operators.internal.RecordCheck;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Global scope, eval mode: every subtask normalizes with the same frozen statistics (the stats
 * table's {@code *} entry), with no keyBy on the path.
 */
final class GlobalEvalFunction extends ProcessFunction<FeatureRecord, FeatureRecord> {
    private static final long serialVersionUID = 1L;

    private final Normalization config;
    private final RecordShape shape;
    private transient ChannelNormalizer normalizer;
    private transient NormMetrics metrics;

    GlobalEvalFunction(Normalization config, RecordShape shape) {
        this.config = config;
        this.shape = shape;
    }

    @Override
    public void open(OpenContext openContext) {
        RunningStats stats = config.initialStats().lookup(StatsTable.ANY_KEY).orElseThrow();
        normalizer = config.batchNorm(shape).newNormalizer().useRunningStats(stats);
        metrics = new NormMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out) {
        DeadLetter rejected = RecordCheck.check(record, shape.size(), shape);
        if (rejected != null) {
            metrics.deadLetter(rejected.error());
            ctx.output(Normalization.DEAD_LETTERS, rejected);
            return;
        }
        normalizer.apply(record.values(), record.values());
        metrics.recordsNormalized.inc();
        out.collect(record);
    }
}
