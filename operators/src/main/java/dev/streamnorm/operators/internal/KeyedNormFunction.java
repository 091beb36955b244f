package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Base of the keyed batch-norm functions: the running-stats state, record checks, dead letters,
 * metrics and the batch-norm layer for the key's shape.
 *
 * <p>Savepoints also carry the {@code *} stats entry and the layer settings ({@link
 * SavedLayerCheckpoint}); on restore they complete the configuration.
 */
abstract class KeyedNormFunction extends KeyedProcessFunction<String, FeatureRecord, FeatureRecord>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** The configuration, completed by the restored savepoint in {@link #initializeState}. */
    Normalization config;

    transient ValueState<RunningStats> statsState;
    private transient SavedLayerCheckpoint saved;
    transient NormMetrics metrics;
    @Nullable private transient BatchNorm layer;
    @Nullable private transient ChannelNormalizer normalizer;

    KeyedNormFunction(Normalization config) {
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
    public void open(OpenContext openContext) throws Exception {
        statsState = getRuntimeContext().getState(withTtl(NormalizationState.runningStats()));
        metrics = new NormMetrics(getRuntimeContext().getMetricGroup());
    }

    /** Long-lived per-key state expires after the configured TTL of inactivity. */
    <D extends StateDescriptor<?, ?>> D withTtl(D descriptor) {
        return withTtl(descriptor, config);
    }

    /** {@code descriptor} expiring after the TTL of {@code config}, if it has one. */
    static <D extends StateDescriptor<?, ?>> D withTtl(D descriptor, Normalization config) {
        if (config.stateTtl() != null) {
            descriptor.enableTimeToLive(
                    StateTtlConfig.newBuilder(config.stateTtl())
                            .setUpdateType(StateTtlConfig.UpdateType.OnReadAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
        }
        return descriptor;
    }

    /**
     * Sends {@code record} to the dead letter and returns false if it cannot be normalized with
     * {@code expectedLength} values (negative: not known yet).
     */
    boolean accept(FeatureRecord record, int expectedLength, Context ctx) {
        DeadLetter rejected = RecordCheck.check(record, expectedLength, config);
        if (rejected == null) {
            return true;
        }
        reject(rejected, ctx);
        return false;
    }

    void reject(DeadLetter letter, Context ctx) {
        metrics.deadLetter(letter.error());
        ctx.output(Normalization.DEAD_LETTERS, letter);
    }

    void emit(FeatureRecord record, Collector<FeatureRecord> out) {
        metrics.recordsNormalized.inc();
        out.collect(record);
    }

    /** The shape of a record of {@code length} values: the configured one, else C = length. */
    RecordShape shapeOf(int length) {
        return config.shape() != null ? config.shape() : RecordShape.vector(length);
    }

    /**
     * The number of values a record of the current key must have: the configured shape's, else the
     * key's running stats' channels, else the initial stats' channels, else -1 (unknown).
     */
    int expectedLength(String key) throws Exception {
        if (config.shape() != null) {
            return config.shape().size();
        }
        RunningStats stats = statsState.value();
        if (stats != null) {
            return stats.channels();
        }
        if (!config.initialStats().isEmpty()) {
            return config.initialStats().channels();
        }
        return config.affine().isIdentity() ? -1 : config.affine().length();
    }

    /** The running stats of {@code key}: its state, else {@link #initialStats}. */
    RunningStats currentStats(String key, RecordShape shape) throws Exception {
        RunningStats stats = statsState.value();
        return stats != null ? stats : initialStats(key, shape);
    }

    /** The stats a key starts from: the initial table's entry, else PyTorch's initial stats. */
    RunningStats initialStats(String key, RecordShape shape) {
        return config.initialStats()
                .lookup(key)
                .orElseGet(() -> RunningStats.initial(shape.channels()));
    }

    /** The batch-norm layer for {@code shape} (cached: keys almost always share one shape). */
    BatchNorm layer(RecordShape shape) {
        if (layer == null || !layer.shape().equals(shape)) {
            layer = config.batchNorm(shape);
            normalizer = layer.newNormalizer();
        }
        return layer;
    }

    /** The reusable normalizer of {@link #layer}. */
    ChannelNormalizer normalizer(RecordShape shape) {
        layer(shape);
        return normalizer;
    }
}
