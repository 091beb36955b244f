package dev.streamnorm.operators;

import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.scaler.ScalerStats;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import dev.streamnorm.state.typeutils.ScalerStatsTypeInfoFactory;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * The state of the keyed batch-norm operator ({@link Normalization#OPERATOR_UID}) as savepoints and
 * the State Processor API see it. These names are a contract: a renamed state is a lost state.
 *
 * <ul>
 *   <li>{@link #RUNNING_STATS}: keyed, each key's running statistics.
 *   <li>{@link #ANY_KEY_STATS}: union operator state, the {@link StatsTable#ANY_KEY} entry that
 *       serves keys without stats of their own (at most one element).
 *   <li>{@link #LAYER_SETTINGS}: union operator state, the layer's {@link LayerSettings} (at most
 *       one element).
 *   <li>{@link #SCALER_STATS}: keyed, each key's statistics of a scaler norm ({@link ScalerStats}).
 * </ul>
 */
@PublicEvolving
public final class NormalizationState {
    private NormalizationState() {}

    /** Name of the keyed running-stats state. */
    public static final String RUNNING_STATS = "running-stats";

    /** Name of the union state holding the {@code *} entry. */
    public static final String ANY_KEY_STATS = "any-key-stats";

    /** Name of the union state holding the layer settings. */
    public static final String LAYER_SETTINGS = "layer-settings";

    /** Name of the keyed scaler-statistics state of the scaler norms. */
    public static final String SCALER_STATS = "scaler-stats";

    public static ValueStateDescriptor<ScalerStats> scalerStats() {
        return new ValueStateDescriptor<>(SCALER_STATS, ScalerStatsTypeInfoFactory.TYPE_INFO);
    }

    public static ValueStateDescriptor<RunningStats> runningStats() {
        return new ValueStateDescriptor<>(RUNNING_STATS, RunningStatsTypeInfoFactory.TYPE_INFO);
    }

    public static ListStateDescriptor<RunningStats> anyKeyStats() {
        return new ListStateDescriptor<>(ANY_KEY_STATS, RunningStatsTypeInfoFactory.TYPE_INFO);
    }

    public static ListStateDescriptor<LayerSettings> layerSettings() {
        return new ListStateDescriptor<>(LAYER_SETTINGS, LayerSettings.TYPE_INFO);
    }
}
