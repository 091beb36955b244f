package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/** Chooses the keyed batch-norm operator for a configuration. */
public final class KeyedNormFunctions {
    private KeyedNormFunctions() {}

    /** The operator for the configuration's mode and batching. */
    public static KeyedProcessOperator<String, FeatureRecord, FeatureRecord> create(
            Normalization config) {
        switch (config.mode()) {
            case EVAL:
                return new KeyedProcessOperator<>(new EvalFunction(config));
            case ONLINE:
                return new KeyedProcessOperator<>(new OnlineFunction(config));
            default:
                return config.batchInterval() != null
                        ? new KeyedProcessOperator<>(new IntervalBatchTrainFunction(config))
                        : new CountBatchTrainOperator(config);
        }
    }
}
