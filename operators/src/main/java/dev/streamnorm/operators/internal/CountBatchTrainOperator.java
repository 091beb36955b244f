package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.typeutils.ChannelMomentsTypeInfoFactory;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * The operator of train mode with count batches ({@link CountBatchTrainFunction}).
 *
 * <p>Savepoints of the first release kept a key's open batch in three states: its records ({@code
 * pending-records}), their moments ({@code batch-moments}) and the timeout deadline ({@code
 * batch-timeout-timer}). On restore, this operator moves each such batch into one {@link
 * PendingBatch}, once, before the first record; the moments are dropped, since the batch computes
 * the same ones from its records when it closes. The timers themselves are restored as they were.
 */
final class CountBatchTrainOperator
        extends KeyedProcessOperator<String, FeatureRecord, FeatureRecord> {
    private static final long serialVersionUID = 1L;

    static final String LEGACY_RECORDS = "pending-records";
    static final String LEGACY_MOMENTS = "batch-moments";
    static final String LEGACY_DEADLINE = "batch-timeout-timer";

    private final int batchSize;

    CountBatchTrainOperator(Normalization config) {
        super(new CountBatchTrainFunction(config));
        this.batchSize = config.batchSize();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (context.isRestored() && hasLegacyBatches()) {
            moveLegacyBatches();
        }
    }

    private boolean hasLegacyBatches() {
        try (Stream<String> keys =
                this.<String>getKeyedStateBackend()
                        .getKeys(LEGACY_RECORDS, VoidNamespace.INSTANCE)) {
            return keys.findAny().isPresent();
        }
    }

    private void moveLegacyBatches() throws Exception {
        ValueState<PendingBatch> batches =
                getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        CountBatchTrainFunction.pendingBatch());
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
                        new ListStateDescriptor<>(
                                LEGACY_RECORDS, FeatureRecordTypeInfoFactory.TYPE_INFO),
                        (String key, ListState<FeatureRecord> records) -> {
                            PendingBatch batch = null;
                            for (FeatureRecord record : records.get()) {
                                if (batch == null) {
                                    batch = new PendingBatch(record.values().length, batchSize);
                                }
                                batch.add(record);
                            }
                            Long deadline = deadlines.value();
                            if (batch != null) {
                                if (deadline != null) {
                                    batch.setDeadline(deadline);
                                }
                                batches.update(batch);
                            }
                            records.clear();
                            deadlines.clear();
                            moments.clear();
                        });
    }
}
