package dev.streamnorm.operators.compat.nextrelease;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

/**
 * Reads the {@code running-stats} state with the next release's serializer (State Processor API)
 * and emits each key's values as {@link #TYPE}, which is made of Flink types only, so that the test
 * can look at them from outside the next release's class loader.
 */
public final class RunningStatsV2Reader
        extends KeyedStateReaderFunction<String, Tuple5<String, double[], double[], Long, Long>> {
    private static final long serialVersionUID = 1L;

    /** Key, running mean, running variance, batches tracked, last update time. */
    public static final TypeInformation<Tuple5<String, double[], double[], Long, Long>> TYPE =
            Types.TUPLE(
                    Types.STRING,
                    Types.PRIMITIVE_ARRAY(Types.DOUBLE),
                    Types.PRIMITIVE_ARRAY(Types.DOUBLE),
                    Types.LONG,
                    Types.LONG);

    private transient ValueState<RunningStatsV2> state;

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(descriptor());
    }

    /** The {@code running-stats} state with the next release's serializer. */
    static ValueStateDescriptor<RunningStatsV2> descriptor() {
        return new ValueStateDescriptor<>("running-stats", RunningStatsV2Serializer.INSTANCE);
    }

    @Override
    public void readKey(
            String key, Context ctx, Collector<Tuple5<String, double[], double[], Long, Long>> out)
            throws Exception {
        RunningStatsV2 stats = state.value();
        if (stats != null) {
            out.collect(
                    Tuple5.of(
                            key,
                            stats.mean(),
                            stats.variance(),
                            stats.numBatchesTracked(),
                            stats.lastUpdatedMillis()));
        }
    }
}
