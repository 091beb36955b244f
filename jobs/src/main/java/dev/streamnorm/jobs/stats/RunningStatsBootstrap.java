package dev.streamnorm.jobs.stats;

import dev.streamnorm.operators.LayerSettings;
import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.operators.SavedLayerState;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RunningStats;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * Writes a stats table into a new savepoint the way the batch-norm operator keeps it: each key's
 * entry as keyed running stats, the {@code *} entry and the layer settings as the operator's union
 * state ({@link SavedLayerState}).
 */
final class RunningStatsBootstrap
        extends KeyedStateBootstrapFunction<String, Tuple2<String, RunningStats>>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final LayerSettings settings;
    private transient ValueState<RunningStats> stats;
    private transient SavedLayerState saved;
    @Nullable private transient RunningStats anyKey;

    RunningStatsBootstrap(LayerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        saved = new SavedLayerState(context.getOperatorStateStore());
    }

    @Override
    public void open(OpenContext openContext) {
        stats = getRuntimeContext().getState(NormalizationState.runningStats());
    }

    @Override
    public void processElement(Tuple2<String, RunningStats> entry, Context ctx) throws Exception {
        if (entry.f0.equals(StatsTable.ANY_KEY)) {
            anyKey = entry.f1;
        } else {
            stats.update(entry.f1);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        boolean writer = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        saved.save(writer, settings, anyKey);
    }
}
