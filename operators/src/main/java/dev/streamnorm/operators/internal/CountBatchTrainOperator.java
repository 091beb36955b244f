package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.ChannelMomentsTypeInfoFactory;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The operator of train mode with count batches ({@link CountBatchTrainFunction}).
 *
 * <p>At the end of bounded input it closes every open batch, then emits every key's final running
 * stats when asked ({@link Normalization#FINAL_STATS}): one pass over the keys instead of a timer
 * per batch.
 *
 * <p>Savepoints of the first release kept a key's open batch in three states: its records ({@code
 * pending-records}, the list this release appends to as well), their moments ({@code
 * batch-moments}) and the timeout deadline ({@code batch-timeout-timer}). On restore, this operator
 * gives each such batch its {@link OpenBatch} (count, record length, deadline), once, before the
 * first record; the records stay where they are, the moments are dropped (the batch computes the
 * same ones from its records when it closes). The timers are restored as they were; their
 * end-of-input timers close open batches like {@link #endInput}.
 */
final class CountBatchTrainOperator
        extends KeyedProcessOperator<String, FeatureRecord, FeatureRecord>
        implements BoundedOneInput {
    private static final long serialVersionUID = 1L;

    static final String LEGACY_RECORDS = "pending-records";
    static final String LEGACY_MOMENTS = "batch-moments";
    static final String LEGACY_DEADLINE = "batch-timeout-timer";

    private final CountBatchTrainFunction function;
    private transient TimerService timers;
    private transient TimestampedCollector<FeatureRecord> out;

    CountBatchTrainOperator(Normalization config) {
        this(new CountBatchTrainFunction(config));
    }

    private CountBatchTrainOperator(CountBatchTrainFunction function) {
        super(function);
        this.function = function;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (context.isRestored() && hasLegacyBatches()) {
            moveLegacyBatches();
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        // The timer service the function's contexts use (the same name as the superclass').
        timers =
                new SimpleTimerService(
                        getInternalTimerService(
                                "user-timers", VoidNamespaceSerializer.INSTANCE, this));
        out = new TimestampedCollector<>(output);
        out.eraseTimestamp();
    }

    @Override
    public void endInput() throws Exception {
        // Every open batch has a pending record. Walking the keys of the records, in the order
        // RocksDB stores them, makes each batch's read hit the blocks the walk just loaded.
        this.<String>getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        CountBatchTrainFunction.pendingRecords(),
                        (String key, ListState<FeatureRecord> records) ->
                                function.closeOpenBatch(key, timers, out));
        if (function.config.emitFinalStats()) {
            this.<String>getKeyedStateBackend()
                    .applyToAllKeys(
                            VoidNamespace.INSTANCE,
                            VoidNamespaceSerializer.INSTANCE,
                            NormalizationState.runningStats(),
                            (String key, ValueState<RunningStats> stats) ->
                                    output.collect(
                                            Normalization.FINAL_STATS,
                                            new StreamRecord<>(Tuple2.of(key, stats.value()))));
        }
    }

    /** Whether the restored state has open batches of the first release (they had moments). */
    private boolean hasLegacyBatches() {
        try (Stream<String> keys =
                this.<String>getKeyedStateBackend()
                        .getKeys(LEGACY_MOMENTS, VoidNamespace.INSTANCE)) {
            return keys.findAny().isPresent();
        }
    }

    private void moveLegacyBatches() throws Exception {
        ValueState<OpenBatch> batches =
                getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        CountBatchTrainFunction.openBatch());
        ValueState<Long> deadlines =
                getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ValueStateDescriptor<>(LEGACY_DEADLINE, Types.LONG));
        ValueState<?> moments =
                getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ValueStateDescriptor<>(
                                LEGACY_MOMENTS, ChannelMomentsTypeInfoFactory.TYPE_INFO));
        this.<String>getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        CountBatchTrainFunction.pendingRecords(),
                        (String key, ListState<FeatureRecord> records) -> {
                            int size = 0;
                            int recordLength = 0;
                            for (FeatureRecord record : records.get()) {
                                recordLength = record.values().length;
                                size++;
                            }
                            Long deadline = deadlines.value();
                            if (size > 0) {
                                batches.update(
                                        new OpenBatch(
                                                recordLength,
                                                size,
                                                deadline != null
                                                        ? deadline
                                                        : OpenBatch.NO_DEADLINE));
                            }
                            deadlines.clear();
                            moments.clear();
                        });
    }
}
