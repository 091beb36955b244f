package dev.streamnorm.jobs.stats;

import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.state.RunningStats;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

/** Reads each key's running stats out of a savepoint (State Processor API). */
final class RunningStatsReader
        extends KeyedStateReaderFunction<String, Tuple2<String, RunningStats>> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<RunningStats> stats;

    @Override
    public void open(OpenContext openContext) {
        stats = getRuntimeContext().getState(NormalizationState.runningStats());
    }

    @Override
    public void readKey(String key, Context ctx, Collector<Tuple2<String, RunningStats>> out)
            throws Exception {
        RunningStats value = stats.value();
        if (value != null) {
            out.collect(Tuple2.of(key, value));
        }
    }
}
