package dev.streamnorm.operators.internal;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Passes records on unchanged, and refuses to run at a parallelism other than 1.
 *
 * <p>It stands before a keyed operator that was chained without a keyBy because the job was built
 * at parallelism 1. Run wider (a scheduler that rescales a running job), its subtasks would receive
 * keys of other subtasks' key groups: the heap backend would fail on them and RocksDB would store
 * them where a later restore cannot find them. This fails the job first, with the remedy.
 */
public final class SingleSubtaskGuard<T> extends RichMapFunction<T, T> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open(OpenContext openContext) {
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        if (parallelism != 1) {
            throw new IllegalStateException(
                    "the normalize operator was built for parallelism 1 (keyed in place, without a"
                            + " keyBy) but runs at parallelism "
                            + parallelism
                            + ": take a savepoint and start the job again at the new parallelism,"
                            + " or build it with streamnorm.keyed-in-place: false to rescale it"
                            + " while it runs");
        }
    }

    @Override
    public T map(T record) {
        return record;
    }
}
