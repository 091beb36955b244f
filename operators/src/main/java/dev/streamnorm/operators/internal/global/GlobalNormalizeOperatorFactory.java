package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.RecordShape;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEventDispatcher;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;

/**
 * Creates the {@link GlobalNormalizeOperator} on every subtask, wired to its {@link
 * BatchStatsCoordinator} on the JobManager. It chains (no network hop for records).
 */
final class GlobalNormalizeOperatorFactory extends AbstractStreamOperatorFactory<FeatureRecord>
        implements CoordinatedOperatorFactory<FeatureRecord>,
                OneInputStreamOperatorFactory<FeatureRecord, FeatureRecord> {
    private static final long serialVersionUID = 1L;

    private final Normalization config;
    private final RecordShape shape;

    GlobalNormalizeOperatorFactory(Normalization config, RecordShape shape) {
        this.config = config;
        this.shape = shape;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<FeatureRecord>> T createStreamOperator(
            StreamOperatorParameters<FeatureRecord> parameters) {
        OperatorID id = parameters.getStreamConfig().getOperatorID();
        OperatorEventDispatcher dispatcher = parameters.getOperatorEventDispatcher();
        GlobalNormalizeOperator operator =
                new GlobalNormalizeOperator(
                        parameters,
                        config,
                        shape,
                        dispatcher.getOperatorEventGateway(id),
                        // The lowest priority: waiting at end of input must also run the
                        // task's own mails, which carry the coordinator's events.
                        parameters
                                .getContainingTask()
                                .getMailboxExecutorFactory()
                                .createExecutor(TaskMailbox.MIN_PRIORITY));
        dispatcher.registerEventHandler(id, operator);
        return (T) operator;
    }

    @Override
    public OperatorCoordinator.Provider getCoordinatorProvider(
            String operatorName, OperatorID operatorId) {
        return new BatchStatsCoordinator.Provider(operatorId, config, shape);
    }

    @Override
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return GlobalNormalizeOperator.class;
    }
}
