package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RunningStats;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.util.Collector;

/**
 * Eval mode: each record is normalized at once with frozen running stats, from the key's restored
 * state or else from the initial stats table ({@code *} serves keys without their own). A key with
 * no stats at all is a dead letter ({@code no-stats}). State is never written.
 *
 * <p>Normalizers for the table's entries are prepared once; for restored state, the last normalizer
 * of each key is reused while its stats are unchanged ({@link RestoredNormalizers}).
 */
final class EvalFunction extends KeyedNormFunction {
    private static final long serialVersionUID = 1L;

    private transient Map<String, ChannelNormalizer> fromTable;
    private transient RestoredNormalizers fromState;
    @Nullable private transient DriftTracker drift;

    EvalFunction(Normalization config) {
        super(config);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        fromTable = new HashMap<>();
        for (String key : config.initialStats().keys()) {
            RunningStats stats = config.initialStats().lookup(key).orElseThrow();
            fromTable.put(key, FrozenStats.normalizer(config, stats));
        }
        fromState = new RestoredNormalizers(config);
        drift =
                config.drift() == null
                        ? null
                        : new DriftTracker(
                                config, getRuntimeContext(), getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        RunningStats restored = statsState.value();
        ChannelNormalizer normalizer =
                restored != null ? fromState.of(key, restored) : fromTable(key);
        if (normalizer == null) {
            // A bad record is reported as such before the missing stats (DESIGN §3 order).
            if (!accept(record, expectedLength(key), ctx)) {
                return;
            }
            reject(FrozenStats.noStats(record, key), ctx);
            return;
        }
        if (!accept(record, normalizer.shape().size(), ctx)) {
            return;
        }
        if (drift != null) {
            RunningStats served =
                    restored != null ? restored : drift.served(config.initialStats(), key);
            output(
                    drift.accept(
                            key,
                            record.values(),
                            FollowingEvalFunction.eventTime(record, ctx.timestamp()),
                            served,
                            FollowingEvalFunction.INITIAL_VERSION,
                            ctx.timerService()),
                    ctx);
        }
        normalizer.apply(record.values(), record.values());
        emit(record, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRecord> out)
            throws Exception {
        if (drift != null) {
            output(drift.onTimer(ctx.getCurrentKey(), timestamp), ctx);
        }
    }

    private static void output(@Nullable DriftReport report, Context ctx) {
        if (report != null) {
            ctx.output(DriftReport.SIDE_OUTPUT, report);
        }
    }

    @Nullable
    private ChannelNormalizer fromTable(String key) {
        ChannelNormalizer normalizer = fromTable.get(key);
        return normalizer != null ? normalizer : fromTable.get(StatsTable.ANY_KEY);
    }
}
