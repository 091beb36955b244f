package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.internal.NormMetrics;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.UpdatePolicy;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Global scope, stage 2 (parallelism 1): merges the partial moments of each batch from every
 * subtask exactly (Chan et al., in subtask order, so the result does not depend on arrival order),
 * advances the one set of running statistics once per batch, and broadcasts what normalizes the
 * batch.
 *
 * <ul>
 *   <li>train: the merged batch mean and biased variance (or, for a batch of one value per channel,
 *       the unchanged running stats); the running stats follow the update policy;
 *   <li>online: exponentially weighted statistics updated once per batch with weight m, as the
 *       mixture of the previous distribution (1 − m) and the batch (m): {@code d = μ_b − mean; mean
 *       += m·d; var = (1 − m)·(var + m·d²) + m·σ²_b}; the first batch sets them; the batch is
 *       normalized with the updated statistics.
 * </ul>
 *
 * <p>A batch closes once: a partial that arrives after its batch has closed (its subtask was idle,
 * so the watermark moved on without it) is dropped and counted in {@code latePartials}: its records
 * are normalized with the batch's merged statistics, or as late records if the batch has also
 * closed where they are normalized ({@link GlobalNormalizeOperator}).
 */
final class BatchStatsOperator
        extends AbstractStreamOperator<Tuple3<Long, RunningStats, RunningStats>>
        implements OneInputStreamOperator<
                Tuple3<Long, Integer, ChannelMoments>, Tuple3<Long, RunningStats, RunningStats>> {
    private static final long serialVersionUID = 1L;

    private final Normalization config;
    private final RecordShape shape;
    private final long interval;

    private transient TreeMap<Long, List<Tuple2<Integer, ChannelMoments>>> pending;
    @Nullable private transient RunningStats running;
    private transient ListState<Tuple3<Long, Integer, ChannelMoments>> pendingState;
    private transient ListState<RunningStats> runningState;
    // Batches that end at or before this have closed (the watermark, kept across restores).
    private transient long closedUpTo;
    private transient ListState<Long> closedUpToState;
    private transient NormMetrics metrics;
    private transient Counter latePartials;

    BatchStatsOperator(Normalization config, RecordShape shape) {
        this.config = config;
        this.shape = shape;
        this.interval = config.batchInterval().toMillis();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        pendingState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-partials", GlobalMessages.PARTIAL));
        runningState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "running-stats", RunningStatsTypeInfoFactory.TYPE_INFO));
        closedUpToState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("closed-up-to", Types.LONG));
        closedUpTo = Long.MIN_VALUE;
        for (Long restored : closedUpToState.get()) {
            closedUpTo = Math.max(closedUpTo, restored);
        }
        pending = new TreeMap<>();
        for (Tuple3<Long, Integer, ChannelMoments> partial : pendingState.get()) {
            add(partial);
        }
        running = null;
        for (RunningStats stats : runningState.get()) {
            running = stats;
        }
        if (running == null && config.mode() == Mode.TRAIN) {
            running =
                    config.initialStats()
                            .lookup(StatsTable.ANY_KEY)
                            .orElseGet(() -> RunningStats.initial(shape.channels()));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        metrics = new NormMetrics(getMetricGroup());
        latePartials = getMetricGroup().counter("latePartials");
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Tuple3<Long, Integer, ChannelMoments>> list = new ArrayList<>();
        for (Map.Entry<Long, List<Tuple2<Integer, ChannelMoments>>> e : pending.entrySet()) {
            for (Tuple2<Integer, ChannelMoments> partial : e.getValue()) {
                list.add(Tuple3.of(e.getKey(), partial.f0, partial.f1));
            }
        }
        pendingState.update(list);
        runningState.update(running == null ? List.of() : List.of(running));
        closedUpToState.update(List.of(closedUpTo));
    }

    private void add(Tuple3<Long, Integer, ChannelMoments> partial) {
        pending.computeIfAbsent(partial.f0, w -> new ArrayList<>())
                .add(Tuple2.of(partial.f1, partial.f2));
    }

    @Override
    public void processElement(StreamRecord<Tuple3<Long, Integer, ChannelMoments>> element) {
        if (element.getValue().f0 + interval - 1 <= closedUpTo) {
            latePartials.inc();
            return;
        }
        add(element.getValue());
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        closedUpTo = Math.max(closedUpTo, mark.getTimestamp());
        while (!pending.isEmpty() && pending.firstKey() + interval - 1 <= closedUpTo) {
            Map.Entry<Long, List<Tuple2<Integer, ChannelMoments>>> batch = pending.pollFirstEntry();
            RunningStats normalizeWith = close(merge(batch.getValue()));
            output.collect(
                    new StreamRecord<>(
                            Tuple3.of(batch.getKey(), normalizeWith, running.copy()),
                            batch.getKey() + interval - 1));
        }
        super.processWatermark(mark);
    }

    private ChannelMoments merge(List<Tuple2<Integer, ChannelMoments>> partials) {
        partials.sort(Comparator.comparing(p -> p.f0));
        ChannelMoments merged = new ChannelMoments(shape.channels());
        for (Tuple2<Integer, ChannelMoments> partial : partials) {
            merged.combine(partial.f1);
        }
        return merged;
    }

    /** Folds one merged batch in; returns the statistics that normalize it. */
    private RunningStats close(ChannelMoments batch) {
        if (config.mode() == Mode.ONLINE) {
            running = exponentiallyWeighted(running, batch, config.momentum().value());
            metrics.batches.inc();
            return running.copy();
        }
        if (batch.minCount() < 2) {
            metrics.singleValueBatches.inc();
            return running.copy();
        }
        RunningStats normalizeWith = batchStatistics(batch);
        UpdatePolicy policy = config.updatePolicy();
        policy.update(running, batch);
        metrics.batches.inc();
        return normalizeWith;
    }

    /** The batch's mean and biased variance, in the shape of running stats. */
    private static RunningStats batchStatistics(ChannelMoments batch) {
        int channels = batch.channels();
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = batch.mean(c);
            variance[c] = batch.biasedVariance(c);
        }
        return RunningStats.of(mean, variance, 0);
    }

    /** Online mode: the mixture of the previous statistics (1 − m) and the batch (m). */
    static RunningStats exponentiallyWeighted(
            @Nullable RunningStats previous, ChannelMoments batch, double m) {
        int channels = batch.channels();
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        for (int c = 0; c < channels; c++) {
            double batchVariance = batch.biasedVariance(c);
            if (previous == null) {
                mean[c] = batch.mean(c);
                variance[c] = batchVariance;
            } else {
                double d = batch.mean(c) - previous.mean(c);
                mean[c] = previous.mean(c) + m * d;
                variance[c] = (1 - m) * (previous.variance(c) + m * d * d) + m * batchVariance;
            }
        }
        long batches = previous == null ? 1 : previous.numBatchesTracked() + 1;
        return RunningStats.of(mean, variance, batches);
    }
}
