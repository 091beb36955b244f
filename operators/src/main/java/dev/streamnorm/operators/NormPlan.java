package dev.streamnorm.operators;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * What one kind of norm adds to a {@link Normalization}: the checks of its own options, its job
 * graph and its one-line description. Adding a norm means adding an implementation and naming it in
 * {@link Norm}; the builder and the configuration stay as they are.
 */
interface NormPlan {
    /**
     * Checks the options that only this norm reads (the shared ones are checked already).
     *
     * @throws IllegalArgumentException with a message naming the option at fault
     */
    void check(NormalizationBuilder options);

    /** Whether the configuration emits each key's final stats at the end of bounded input. */
    boolean hasFinalStats(NormalizationBuilder options);

    /** Adds the normalizing operator (uid {@link Normalization#OPERATOR_UID}) to {@code input}. */
    SingleOutputStreamOperator<FeatureRecord> apply(
            Normalization config, DataStream<FeatureRecord> input);

    /** A short description such as {@code batch train pytorch m=0.1 batch=32}. */
    String describe(Normalization config);
}
