package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.scaler.ScalerStats;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** The keyed operator of the scaler norms, with each key's final statistics at end of input. */
public final class ScalerFunctions {
    private ScalerFunctions() {}

    /** The operator for a scaler configuration. */
    public static KeyedProcessOperator<String, FeatureRecord, FeatureRecord> create(
            Normalization config) {
        return new FinalStatsOperator(new ScalerFunction(config));
    }

    /**
     * Runs a {@link ScalerFunction} and, in train mode when asked, emits every key's statistics to
     * {@link Normalization#FINAL_SCALER_STATS} when bounded input ends: one pass over the keys.
     */
    static final class FinalStatsOperator
            extends KeyedProcessOperator<String, FeatureRecord, FeatureRecord>
            implements BoundedOneInput {
        private static final long serialVersionUID = 1L;

        private final ScalerFunction function;

        FinalStatsOperator(ScalerFunction function) {
            super(function);
            this.function = function;
        }

        @Override
        public void endInput() throws Exception {
            if (!function.config.emitFinalStats()) {
                return;
            }
            this.<String>getKeyedStateBackend()
                    .applyToAllKeys(
                            VoidNamespace.INSTANCE,
                            VoidNamespaceSerializer.INSTANCE,
                            ScalerFunction.statsDescriptor(),
                            (String key, ValueState<ScalerStats> stats) ->
                                    output.collect(
                                            Normalization.FINAL_SCALER_STATS,
                                            new StreamRecord<>(Tuple2.of(key, stats.value()))));
        }
    }
}
