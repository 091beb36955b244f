package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/** Chooses the keyed batch-norm function for a configuration. */
public final class KeyedNormFunctions {
    private KeyedNormFunctions() {}

    /** The function for the configuration's mode and batching. */
    public static KeyedProcessFunction<String, FeatureRecord, FeatureRecord> create(
            Normalization config) {
        switch (config.mode()) {
            case EVAL:
                return new EvalFunction(config);
            case ONLINE:
                return new OnlineFunction(config);
            default:
                return config.batchInterval() != null
                        ? new IntervalBatchTrainFunction(config)
                        : new CountBatchTrainFunction(config);
        }
    }
}
