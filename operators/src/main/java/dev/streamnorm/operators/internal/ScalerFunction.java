package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.operators.ScalerTable;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.scaler.FittedScaler;
import dev.streamnorm.state.scaler.RobustScalerStats;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A scikit-learn scaler per key (DESIGN §7), each of a record's values a feature:
 *
 * <ul>
 *   <li>train: the key's statistics take in the record ({@code partial_fit}), then the record is
 *       transformed with them; a key without state starts from its stats-table entry if that
 *       carries statistics, else from nothing;
 *   <li>eval: the record is transformed with the key's restored statistics, else its table entry
 *       (or {@code *}); state never changes; a key with neither is a dead letter ({@code
 *       no-stats});
 *   <li>online: as train, forgetting with weight {@code momentum} ({@link
 *       ScalerStats#acceptForgetting}).
 * </ul>
 */
final class ScalerFunction extends KeyedProcessFunction<String, FeatureRecord, FeatureRecord> {
    private static final long serialVersionUID = 1L;

    final Normalization config;
    private final ScalerKind kind;
    private final ScalerParams params;
    private final ScalerTable table;

    private transient ValueState<ScalerStats> statsState;
    private transient NormMetrics metrics;
    private transient Map<String, FittedScaler> frozen;
    private transient Map<String, FittedScaler> fromTable;

    ScalerFunction(Normalization config) {
        this.config = config;
        this.kind = config.norm().scalerKind();
        this.params = config.scalerParams();
        this.table = config.scalerTable() != null ? config.scalerTable() : ScalerTable.empty(kind);
    }

    /** The descriptor of the per-key statistics. */
    static ValueStateDescriptor<ScalerStats> statsDescriptor() {
        return NormalizationState.scalerStats();
    }

    @Override
    public void open(OpenContext openContext) {
        statsState =
                getRuntimeContext().getState(KeyedNormFunction.withTtl(statsDescriptor(), config));
        metrics = new NormMetrics(getRuntimeContext().getMetricGroup());
        frozen = new HashMap<>();
        fromTable = new HashMap<>();
        if (config.mode() == Mode.EVAL) {
            for (String key : table.keys()) {
                fromTable.put(key, table.fitted(table.lookupExact(key), params));
            }
        }
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        ScalerStats stats = statsState.value();
        @Nullable ScalerTable.Entry entry = stats == null ? table.lookup(key) : null;
        if (!accept(record, expectedLength(stats, entry), ctx)) {
            return;
        }
        double[] values = record.values();
        if (config.mode() == Mode.EVAL) {
            FittedScaler scaler = stats != null ? frozen(key, stats) : fromTable(key);
            if (scaler == null) {
                reject(FrozenStats.noStats(record, key), ctx);
                return;
            }
            scaler.transform(values, values);
        } else {
            if (stats == null) {
                stats = start(entry, values.length);
                metrics.keys.inc();
            }
            if (config.mode() == Mode.ONLINE) {
                stats.acceptForgetting(values, config.momentum().value());
            } else {
                stats.accept(values);
            }
            stats.fit(params).transform(values, values);
            statsState.update(stats);
        }
        metrics.recordsNormalized.inc();
        out.collect(record);
    }

    private ScalerStats start(@Nullable ScalerTable.Entry entry, int features) {
        if (entry != null && config.mode() == Mode.TRAIN) {
            return table.resume(entry);
        }
        if (config.mode() == Mode.ONLINE) {
            return ScalerStats.forgetting(kind, features, config.momentum().value());
        }
        return config.robustExact()
                ? ScalerStats.exactRobust(features)
                : ScalerStats.empty(kind, features, RobustScalerStats.DEFAULT_SKETCH_SIZE);
    }

    /** The transform of a restored key (fitted once: eval state never changes). */
    private FittedScaler frozen(String key, ScalerStats stats) {
        return frozen.computeIfAbsent(key, k -> stats.fit(params));
    }

    @Nullable
    private FittedScaler fromTable(String key) {
        FittedScaler own = fromTable.get(key);
        return own != null ? own : fromTable.get(StatsTable.ANY_KEY);
    }

    /**
     * The number of values a record of the key must have: the shape's, else the key's statistics',
     * else its table entry's, else -1 (learned from this record).
     */
    private int expectedLength(@Nullable ScalerStats stats, @Nullable ScalerTable.Entry entry) {
        if (config.shape() != null) {
            return config.shape().size();
        }
        if (stats != null) {
            return stats.features();
        }
        return entry != null ? table.features() : -1;
    }

    private boolean accept(FeatureRecord record, int expectedLength, Context ctx) {
        DeadLetter rejected = RecordCheck.check(record, expectedLength, config);
        if (rejected == null) {
            return true;
        }
        reject(rejected, ctx);
        return false;
    }

    private void reject(DeadLetter letter, Context ctx) {
        metrics.deadLetter(letter.error());
        ctx.output(Normalization.DEAD_LETTERS, letter);
    }
}
