package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.StatsUpdate;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.operators.typeutils.StatsUpdateTypeInfoFactory;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Eval mode following a stream of {@link StatsUpdate}s: frozen stats that are replaced, without a
 * restart, from each update's effective time on.
 *
 * <p><b>Which stats normalize a record.</b> A record with event time t is normalized with the
 * latest update whose {@code effectiveFrom ≤ t} (ties: the one that arrived last); within it, the
 * key's own entry, else its {@code *} entry, else the record is a {@code no-stats} dead letter.
 * Before any update is effective, the initial stats serve exactly as in plain eval mode (the key's
 * restored running stats, else the initial table with {@code *} fallback), under the version
 * {@value #INITIAL_VERSION}.
 *
 * <p><b>Determinism.</b> Records are held per key and released in event-time order when the
 * operator's watermark (the minimum of the records' and the updates' watermarks) passes their time,
 * so the choice does not depend on how records and updates interleave on arrival, and a replay from
 * a checkpoint picks the same versions. Held records and updates are checkpointed. An update that
 * arrives behind the watermark (late, counted in {@code lateStatsUpdates}) applies only to records
 * released after it; a record that arrives behind the watermark (counted in {@code lateRecords}) is
 * normalized at once. Updates published with an effective time ahead of the records are never late.
 *
 * <p>Updates superseded by a newer one effective at or before the watermark are dropped, as no
 * record on time can pick them any more. An update with the effective time and version of one
 * already held replaces it, so a re-read update topic does not change the choice.
 */
public final class FollowingEvalFunction
        extends KeyedBroadcastProcessFunction<String, FeatureRecord, StatsUpdate, FeatureRecord>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** The version of the stats that serve before any update is effective. */
    public static final String INITIAL_VERSION = "initial";

    /** The broadcast state: updates by effective time, each list in arrival order. */
    public static final MapStateDescriptor<Long, List<StatsUpdate>> UPDATES =
            new MapStateDescriptor<>(
                    "stats-updates", Types.LONG, Types.LIST(StatsUpdateTypeInfoFactory.TYPE_INFO));

    private static final int MAX_CACHED_TABLES = 64;

    private Normalization config;

    private transient SavedLayerCheckpoint saved;
    private transient ValueState<RunningStats> statsState;
    private transient MapState<Long, List<FeatureRecord>> held;
    private transient NormMetrics metrics;

    /** Normalizers per update and entry key. */
    private transient Map<StatsUpdate, Map<String, ChannelNormalizer>> normalizers;

    /** Normalizers of the initial table's entries, by entry key. */
    private transient Map<String, ChannelNormalizer> initialNormalizers;

    private transient RestoredNormalizers restoredNormalizers;
    @Nullable private transient DriftTracker drift;

    /** The watermark of the last pruning of superseded updates. */
    private transient long prunedAt;

    public FollowingEvalFunction(Normalization config) {
        this.config = config;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        saved = new SavedLayerCheckpoint();
        config = saved.initialize(context, config);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        saved.snapshot(getRuntimeContext(), config);
    }

    @Override
    public void open(OpenContext openContext) {
        statsState =
                getRuntimeContext()
                        .getState(
                                KeyedNormFunction.withTtl(
                                        NormalizationState.runningStats(), config));
        held =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "held-records",
                                        Types.LONG,
                                        Types.LIST(FeatureRecordTypeInfoFactory.TYPE_INFO)));
        metrics = new NormMetrics(getRuntimeContext().getMetricGroup());
        normalizers = new HashMap<>();
        initialNormalizers = new HashMap<>();
        restoredNormalizers = new RestoredNormalizers(config);
        prunedAt = Long.MIN_VALUE;
        drift =
                config.drift() == null
                        ? null
                        : new DriftTracker(
                                config, getRuntimeContext(), getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            FeatureRecord record, ReadOnlyContext ctx, Collector<FeatureRecord> out)
            throws Exception {
        long watermark = ctx.currentWatermark();
        long time = eventTime(record, ctx.timestamp());
        if (time == FeatureRecord.NO_TIMESTAMP || time <= watermark) {
            if (time != FeatureRecord.NO_TIMESTAMP) {
                metrics.lateRecords.inc();
            }
            normalize(record, time == FeatureRecord.NO_TIMESTAMP ? watermark : time, ctx, out);
            return;
        }
        List<FeatureRecord> atTime = held.get(time);
        if (atTime == null) {
            atTime = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(time);
        }
        atTime.add(record);
        held.put(time, atTime);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRecord> out)
            throws Exception {
        List<FeatureRecord> due = held.get(timestamp);
        if (due != null) {
            held.remove(timestamp);
            for (FeatureRecord record : due) {
                normalize(record, timestamp, ctx, out);
            }
        }
        if (drift != null) {
            output(drift.onTimer(ctx.getCurrentKey(), timestamp), ctx);
        }
    }

    @Override
    public void processBroadcastElement(
            StatsUpdate update, Context ctx, Collector<FeatureRecord> out) throws Exception {
        long watermark = ctx.currentWatermark();
        if (update.effectiveFrom() <= watermark) {
            metrics.lateStatsUpdates.inc();
        }
        BroadcastState<Long, List<StatsUpdate>> updates = ctx.getBroadcastState(UPDATES);
        List<StatsUpdate> atTime = updates.get(update.effectiveFrom());
        List<StatsUpdate> replaced = new ArrayList<>();
        if (atTime != null) {
            // A replayed update (same version) replaces itself instead of counting twice.
            for (StatsUpdate existing : atTime) {
                if (!existing.version().equals(update.version())) {
                    replaced.add(existing);
                }
            }
        }
        replaced.add(update);
        updates.put(update.effectiveFrom(), replaced);
        // Only a watermark that moved, or an update at or behind it, makes more updates superseded:
        // a backlog of updates read under one watermark is not scanned once per update.
        if (watermark > prunedAt || update.effectiveFrom() <= watermark) {
            pruneSuperseded(updates, watermark);
            prunedAt = watermark;
        }
    }

    /** Removes the updates older than the latest one effective at {@code watermark}. */
    private void pruneSuperseded(BroadcastState<Long, List<StatsUpdate>> updates, long watermark)
            throws Exception {
        long latestEffective = Long.MIN_VALUE;
        for (Map.Entry<Long, List<StatsUpdate>> e : updates.immutableEntries()) {
            if (e.getKey() <= watermark && e.getKey() > latestEffective) {
                latestEffective = e.getKey();
            }
        }
        Iterator<Map.Entry<Long, List<StatsUpdate>>> it = updates.iterator();
        while (it.hasNext()) {
            Map.Entry<Long, List<StatsUpdate>> e = it.next();
            if (e.getKey() < latestEffective) {
                normalizers.keySet().removeAll(e.getValue());
                it.remove();
            }
        }
    }

    /** The record's event time: its own, else the stream element's, else none. */
    static long eventTime(FeatureRecord record, @Nullable Long elementTimestamp) {
        if (record.timestamp() != FeatureRecord.NO_TIMESTAMP) {
            return record.timestamp();
        }
        return elementTimestamp != null ? elementTimestamp : FeatureRecord.NO_TIMESTAMP;
    }

    private void normalize(
            FeatureRecord record, long time, ReadOnlyContext ctx, Collector<FeatureRecord> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        StatsUpdate update = effectiveAt(ctx.getBroadcastState(UPDATES), time);
        ChannelNormalizer normalizer = update == null ? initial(key) : fromUpdate(update, key);
        if (normalizer == null) {
            int expected = config.shape() != null ? config.shape().size() : -1;
            // A bad record is reported as such before the missing stats (DESIGN §3 order).
            if (accept(record, expected, ctx)) {
                reject(FrozenStats.noStats(record, key), ctx);
            }
            return;
        }
        if (!accept(record, normalizer.shape().size(), ctx)) {
            return;
        }
        String version = update == null ? INITIAL_VERSION : update.version();
        if (drift != null) {
            RunningStats served =
                    update == null ? initialStats(key) : drift.served(update.stats(), key);
            output(
                    drift.accept(key, record.values(), time, served, version, ctx.timerService()),
                    ctx);
        }
        normalizer.apply(record.values(), record.values());
        metrics.recordsNormalized.inc();
        out.collect(config.emitStatsVersion() ? record.withStatsVersion(version) : record);
    }

    /** The latest update effective at {@code time} (ties: the last to arrive), or null. */
    @Nullable
    private static StatsUpdate effectiveAt(
            ReadOnlyBroadcastState<Long, List<StatsUpdate>> updates, long time) throws Exception {
        List<StatsUpdate> latest = null;
        long latestEffective = Long.MIN_VALUE;
        for (Map.Entry<Long, List<StatsUpdate>> e : updates.immutableEntries()) {
            if (e.getKey() <= time && (latest == null || e.getKey() > latestEffective)) {
                latest = e.getValue();
                latestEffective = e.getKey();
            }
        }
        return latest == null ? null : latest.get(latest.size() - 1);
    }

    /** The initial stats of {@code key}: restored running stats, else the initial table. */
    @Nullable
    private ChannelNormalizer initial(String key) throws Exception {
        RunningStats restored = statsState.value();
        if (restored != null) {
            return restoredNormalizers.of(key, restored);
        }
        return cached(initialNormalizers, config.initialStats(), key);
    }

    /** The stats behind {@link #initial}. */
    private RunningStats initialStats(String key) throws Exception {
        RunningStats restored = statsState.value();
        return restored != null ? restored : drift.served(config.initialStats(), key);
    }

    private static void output(@Nullable DriftReport report, ReadOnlyContext ctx) {
        if (report != null) {
            ctx.output(DriftReport.SIDE_OUTPUT, report);
        }
    }

    @Nullable
    private ChannelNormalizer fromUpdate(StatsUpdate update, String key) {
        if (!normalizers.containsKey(update) && normalizers.size() >= MAX_CACHED_TABLES) {
            normalizers.clear();
        }
        return cached(
                normalizers.computeIfAbsent(update, u -> new HashMap<>()), update.stats(), key);
    }

    /** The normalizer of {@code key}'s entry in {@code table}, else of its {@code *} entry. */
    @Nullable
    private ChannelNormalizer cached(
            Map<String, ChannelNormalizer> cache, StatsTable table, String key) {
        String entry =
                table.keys().contains(key)
                        ? key
                        : table.keys().contains(StatsTable.ANY_KEY) ? StatsTable.ANY_KEY : null;
        if (entry == null) {
            return null;
        }
        return cache.computeIfAbsent(
                entry, k -> FrozenStats.normalizer(config, table.lookupExact(k)));
    }

    private boolean accept(FeatureRecord record, int expectedLength, ReadOnlyContext ctx) {
        DeadLetter rejected = RecordCheck.check(record, expectedLength, config);
        if (rejected == null) {
            return true;
        }
        reject(rejected, ctx);
        return false;
    }

    private void reject(DeadLetter letter, ReadOnlyContext ctx) {
        metrics.deadLetter(letter.error());
        ctx.output(Normalization.DEAD_LETTERS, letter);
    }
}
