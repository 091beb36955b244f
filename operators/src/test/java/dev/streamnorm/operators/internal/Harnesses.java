package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.operators.typeutils.OpenBatchSerializer;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.scaler.ScalerStats;
import dev.streamnorm.state.typeutils.ExponentialMomentsTypeInfoFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** Test harnesses around the keyed functions, and readers of their state and outputs. */
@SuppressWarnings("try")
final class Harnesses {
    private Harnesses() {}

    /** The state backends the harness tests run on. */
    enum Backend {
        HASHMAP,
        ROCKSDB;

        StateBackend create() {
            return this == HASHMAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
        }
    }

    /**
     * An open harness of {@code KeyedNormFunctions.create(config)} keyed by {@link
     * FeatureRecord#key}, restored from {@code restore} when it is not null.
     */
    static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> keyed(
            Normalization config, @Nullable OperatorSubtaskState restore, Backend backend)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        KeyedNormFunctions.create(config), FeatureRecord::key, Types.STRING);
        return start(harness, restore, backend);
    }

    /** An open harness of the scaler operator of {@code config}, restored from {@code restore}. */
    static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> scaler(
            Normalization config, @Nullable OperatorSubtaskState restore, Backend backend)
            throws Exception {
        return start(
                new KeyedOneInputStreamOperatorTestHarness<>(
                        ScalerFunctions.create(config), FeatureRecord::key, Types.STRING),
                restore,
                backend);
    }

    /** The scaler statistics of {@code key} in the harness' keyed state, or null. */
    @Nullable
    static ScalerStats scalerStats(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key)
            throws Exception {
        ScalerStats stats = value(harness, key, ScalerFunction.statsDescriptor());
        return stats == null ? null : stats.copy();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> keyed(
            Normalization config) throws Exception {
        return keyed(config, null, Backend.HASHMAP);
    }

    /** An open harness whose operator metrics {@code metrics} intercepts. */
    static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> keyed(
            Normalization config, Metrics metrics) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        KeyedNormFunctions.create(config),
                        FeatureRecord::key,
                        Types.STRING,
                        metrics.environment);
        return start(harness, null, Backend.HASHMAP);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord>
            start(
                    KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord>
                            harness,
                    @Nullable OperatorSubtaskState restore,
                    Backend backend)
                    throws Exception {
        harness.setStateBackend(backend.create());
        return open(harness, restore);
    }

    /** Opens {@code harness} without Kryo (as the jobs run), restored from {@code restore}. */
    static <H extends AbstractStreamOperatorTestHarness<?>> H open(
            H harness, @Nullable OperatorSubtaskState restore) throws Exception {
        ((SerializerConfigImpl) harness.getExecutionConfig().getSerializerConfig())
                .setGenericTypes(false);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    /** Feeds a copy of {@code record} (the operators normalize their input in place). */
    static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            FeatureRecord record)
            throws Exception {
        harness.processElement(record.copy(), 0L);
    }

    /** The running stats of {@code key} in the harness' keyed state, or null. */
    @Nullable
    static RunningStats runningStats(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key)
            throws Exception {
        RunningStats stats = value(harness, key, NormalizationState.runningStats());
        return stats == null ? null : stats.copy();
    }

    /** The open count batch of {@code key} in the harness' keyed state (a copy), or null. */
    @Nullable
    static OpenBatch openBatch(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key)
            throws Exception {
        OpenBatch batch = value(harness, key, CountBatchTrainFunction.openBatch());
        return batch == null ? null : OpenBatchSerializer.INSTANCE.copy(batch);
    }

    /** The records of the open count batch of {@code key} (copies), in arrival order. */
    static List<FeatureRecord> pendingRecords(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key)
            throws Exception {
        List<FeatureRecord> records = new ArrayList<>();
        for (FeatureRecord record :
                state(harness, key, CountBatchTrainFunction.pendingRecords()).get()) {
            records.add(record.copy());
        }
        return records;
    }

    /** The value of {@code key} in the harness' keyed value state {@code descriptor}, or null. */
    @Nullable
    private static <T> T value(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key,
            ValueStateDescriptor<T> descriptor)
            throws Exception {
        return state(harness, key, descriptor).value();
    }

    /** The harness' keyed state {@code descriptor}, set to {@code key}. */
    private static <S extends State> S state(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key,
            StateDescriptor<S, ?> descriptor)
            throws Exception {
        harness.getOperator().setCurrentKey(key);
        return harness.getOperator()
                .getPartitionedState(
                        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    }

    /**
     * How many keys hold state {@code name} (works on every backend, unlike {@code
     * numKeyedStateEntries}).
     */
    static long keysWithState(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String name)
            throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        try (Stream<String> keys = backend.getKeys(name, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** The exponentially weighted moments of {@code key} (online mode), or null. */
    @Nullable
    static ExponentialMoments onlineMoments(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness,
            String key)
            throws Exception {
        ExponentialMoments moments =
                value(
                        harness,
                        key,
                        new ValueStateDescriptor<>(
                                OnlineFunction.EW_MOMENTS,
                                ExponentialMomentsTypeInfoFactory.TYPE_INFO));
        return moments == null ? null : moments.copy();
    }

    /** The emitted records grouped by key, each key's in emission order; clears the output. */
    static Map<String, List<FeatureRecord>> drainByKey(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness) {
        Map<String, List<FeatureRecord>> byKey = new LinkedHashMap<>();
        for (FeatureRecord record : harness.extractOutputValues()) {
            byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
        }
        harness.getOutput().clear();
        return byKey;
    }

    /** The dead letters emitted so far (without clearing them). */
    static List<DeadLetter> deadLetters(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, FeatureRecord> harness) {
        return values(harness.getSideOutput(Normalization.DEAD_LETTERS));
    }

    static <T> List<T> values(@Nullable Queue<StreamRecord<T>> queue) {
        List<T> values = new ArrayList<>();
        if (queue != null) {
            for (StreamRecord<T> record : queue) {
                values.add(record.getValue());
            }
        }
        return values;
    }

    /** Bit patterns of {@code values}, to assert exact equality (NaN and -0.0 included). */
    static long[] bits(double[] values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Double.doubleToRawLongBits(values[i]);
        }
        return bits;
    }

    /** A mock environment whose operator metric group is intercepted, to read counters. */
    static final class Metrics implements AutoCloseable {
        private final InterceptingOperatorMetricGroup operator =
                new InterceptingOperatorMetricGroup();
        final MockEnvironment environment =
                new MockEnvironmentBuilder()
                        .setMetricGroup(
                                new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                                    @Override
                                    public InternalOperatorMetricGroup getOrAddOperator(
                                            OperatorID id,
                                            String name,
                                            Map<String, String> additionalVariables) {
                                        return operator;
                                    }
                                })
                        .build();

        /** The count of the operator counter {@code name}. */
        long count(String name) {
            Counter counter = (Counter) operator.get(name);
            if (counter == null) {
                throw new AssertionError("no counter " + name + " registered");
            }
            return counter.getCount();
        }

        /** The value of the operator gauge {@code name}. */
        @SuppressWarnings("unchecked")
        <T> T gauge(String name) {
            Gauge<T> gauge = (Gauge<T>) operator.get(name);
            if (gauge == null) {
                throw new AssertionError("no gauge " + name + " registered");
            }
            return gauge.getValue();
        }

        @Override
        public void close() throws Exception {
            environment.close();
        }
    }
}
