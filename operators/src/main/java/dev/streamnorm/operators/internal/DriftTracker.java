package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.operators.DriftSettings;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.DriftStats;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.DriftStatsTypeInfoFactory;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;

/**
 * The drift of one eval function's keys (DESIGN §8): each key's {@link DriftStats} in keyed state,
 * its drift records and the drift metrics.
 *
 * <p><b>When a key reports.</b> With an interval I, a record of event time t falls in the interval
 * ending at {@code (⌊t/I⌋ + 1)·I}. A key's interval closes, and its drift record is emitted with
 * that end as {@code ts}, when its first record of a later interval arrives (before that record is
 * folded in) or when the watermark passes the interval's end (an event-time timer), whichever comes
 * first; both see the same records unless a record arrives behind the watermark (late: it counts in
 * the key's next record). So a replay from a checkpoint emits the same records. At the end of
 * bounded input (the watermark reaching its maximum), every key emits one final record, {@code ts}
 * = its latest event time.
 *
 * <p><b>Metrics</b> (never one series per key): {@code driftRecords}, and for the latest interval
 * end this subtask reported (end of input counting as the last), {@code driftKeysInAlert} and
 * {@code driftMaxAbsShift}, the largest |shift| of its drift records.
 */
final class DriftTracker {
    private static final int MAX_CACHED_TABLES = 64;
    private static final long END_OF_INPUT = Long.MAX_VALUE;

    private final DriftSettings settings;
    private final double eps;
    @Nullable private final Long intervalMillis;
    private final ValueState<DriftStats> stats;
    private final ValueState<Long> openIntervalEnd;
    private final ValueState<Long> latestTime;
    private final ValueState<String> version;
    private final Map<StatsTable, Map<String, RunningStats>> served = new IdentityHashMap<>();

    private final Counter reports;
    private long reportedEnd = Long.MIN_VALUE;
    private int keysInAlert;
    private double maxAbsShift;

    DriftTracker(Normalization config, RuntimeContext context, MetricGroup metrics) {
        this.settings = config.drift();
        this.eps = config.eps();
        this.intervalMillis = settings.interval() == null ? null : settings.interval().toMillis();
        this.stats =
                context.getState(
                        KeyedNormFunction.withTtl(
                                new ValueStateDescriptor<>(
                                        "drift-stats", DriftStatsTypeInfoFactory.TYPE_INFO),
                                config));
        this.openIntervalEnd =
                context.getState(
                        KeyedNormFunction.withTtl(
                                new ValueStateDescriptor<>("drift-interval-end", Types.LONG),
                                config));
        this.latestTime =
                context.getState(
                        KeyedNormFunction.withTtl(
                                new ValueStateDescriptor<>("drift-latest-time", Types.LONG),
                                config));
        this.version =
                context.getState(
                        KeyedNormFunction.withTtl(
                                new ValueStateDescriptor<>("drift-stats-version", Types.STRING),
                                config));
        this.reports = metrics.counter("driftRecords");
        metrics.gauge("driftKeysInAlert", (Gauge<Integer>) () -> keysInAlert);
        metrics.gauge("driftMaxAbsShift", (Gauge<Double>) () -> maxAbsShift);
    }

    /**
     * Folds in an accepted record (its input values, before normalization) of event time {@code
     * time} ({@link FeatureRecord#NO_TIMESTAMP}: none) that {@code servedBy} normalizes.
     *
     * @return the drift record of the interval that this record closes, or null
     */
    @Nullable
    DriftReport accept(
            String key,
            double[] values,
            long time,
            RunningStats servedBy,
            String statsVersion,
            TimerService timers)
            throws Exception {
        DriftStats current = stats.value();
        if (current == null) {
            timers.registerEventTimeTimer(END_OF_INPUT);
        }
        DriftReport closed = null;
        if (intervalMillis != null && time != FeatureRecord.NO_TIMESTAMP) {
            long end = Math.floorDiv(time, intervalMillis) * intervalMillis + intervalMillis;
            Long open = openIntervalEnd.value();
            if (open == null || end > open) {
                if (open != null && current != null) {
                    closed = report(key, open, current, open);
                }
                openIntervalEnd.update(end);
                timers.registerEventTimeTimer(end - 1);
            }
        }
        if (current == null || current.channels() != servedBy.channels()) {
            current = new DriftStats(servedBy.channels());
        }
        int positions = values.length / servedBy.channels();
        current.accept(values, positions, servedBy, eps, settings.momentum());
        stats.update(current);
        version.update(statsVersion);
        if (time != FeatureRecord.NO_TIMESTAMP) {
            Long latest = latestTime.value();
            latestTime.update(latest == null ? time : Math.max(latest, time));
        }
        return closed;
    }

    /**
     * Handles an event-time timer of the current key: closes its open interval if the watermark
     * passed its end; at the end of input, emits its final record.
     *
     * @return the drift record to emit, or null
     */
    @Nullable
    DriftReport onTimer(String key, long timestamp) throws Exception {
        DriftStats current = stats.value();
        if (current == null) {
            return null;
        }
        Long open = openIntervalEnd.value();
        if (timestamp == END_OF_INPUT) {
            openIntervalEnd.clear();
            Long latest = latestTime.value();
            return report(
                    key,
                    latest == null ? FeatureRecord.NO_TIMESTAMP : latest,
                    current,
                    END_OF_INPUT);
        }
        if (open != null && open - 1 <= timestamp) {
            openIntervalEnd.clear();
            return report(key, open, current, open);
        }
        return null;
    }

    /** The stats of {@code key}'s entry in {@code table}, else of its {@code *} entry, or null. */
    @Nullable
    RunningStats served(StatsTable table, String key) {
        if (!served.containsKey(table) && served.size() >= MAX_CACHED_TABLES) {
            served.clear();
        }
        Map<String, RunningStats> entries = served.computeIfAbsent(table, t -> new HashMap<>());
        String entry = table.keys().contains(key) ? key : StatsTable.ANY_KEY;
        return entries.computeIfAbsent(entry, table::lookupExact);
    }

    /** The drift record of {@code current}; {@code end} orders it for the metrics. */
    private DriftReport report(String key, long timestamp, DriftStats current, long end)
            throws Exception {
        double worstShift = current.shift(current.worstShiftChannel());
        double maxPsi = current.psi(current.maxPsiChannel());
        boolean alert = settings.alerts(worstShift, maxPsi);
        if (end > reportedEnd) {
            reportedEnd = end;
            keysInAlert = 0;
            maxAbsShift = 0.0;
        }
        if (end == reportedEnd) {
            keysInAlert += alert ? 1 : 0;
            maxAbsShift = Math.max(maxAbsShift, Math.abs(worstShift));
        }
        reports.inc();
        String servedVersion = version.value();
        return new DriftReport(
                key,
                timestamp,
                servedVersion == null ? FollowingEvalFunction.INITIAL_VERSION : servedVersion,
                alert,
                current.copy());
    }
}
