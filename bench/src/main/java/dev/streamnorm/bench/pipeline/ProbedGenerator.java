package dev.streamnorm.bench.pipeline;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Maps record index i to a record made from {@link PipelineData}, and reports to {@link Probe} when
 * the first record leaves and how much CPU its task thread spent from then on.
 */
abstract class ProbedGenerator<T> extends RichMapFunction<Long, T> {
    private static final long serialVersionUID = 1L;

    private final int keys;
    private final int features;
    private transient PipelineData data;
    private transient boolean started;
    private transient long cpuStart;

    ProbedGenerator(int keys, int features) {
        this.keys = keys;
        this.features = features;
    }

    /** Record {@code i}, with its key and values from {@code data}. */
    abstract T record(long i, PipelineData data);

    @Override
    public void open(OpenContext openContext) {
        data = new PipelineData(keys, features);
    }

    @Override
    public void close() {
        if (started) {
            Probe.taskCpu(Probe.threadCpu() - cpuStart);
        }
    }

    @Override
    public T map(Long i) {
        if (!started) {
            started = true;
            cpuStart = Probe.threadCpu();
            Probe.firstEmit();
        }
        return record(i, data);
    }
}
