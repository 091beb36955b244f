package dev.streamnorm.operators.compat.nextrelease;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;

/**
 * Writes the {@code running-stats} state with the next release's serializer (State Processor API),
 * from values in the shape of {@link RunningStatsV2Reader#TYPE}.
 */
public final class RunningStatsV2Writer
        extends KeyedStateBootstrapFunction<
                String, Tuple5<String, double[], double[], Long, Long>> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<RunningStatsV2> state;

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(RunningStatsV2Reader.descriptor());
    }

    @Override
    public void processElement(Tuple5<String, double[], double[], Long, Long> stats, Context ctx)
            throws Exception {
        state.update(new RunningStatsV2(stats.f1, stats.f2, stats.f3, stats.f4));
    }
}
