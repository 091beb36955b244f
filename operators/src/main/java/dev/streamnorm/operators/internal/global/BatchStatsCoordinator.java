package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.internal.global.GlobalMessages.Adopted;
import dev.streamnorm.operators.internal.global.GlobalMessages.Handoff;
import dev.streamnorm.operators.internal.global.GlobalMessages.HandoffReply;
import dev.streamnorm.operators.internal.global.GlobalMessages.Outcomes;
import dev.streamnorm.operators.internal.global.GlobalMessages.Registered;
import dev.streamnorm.operators.internal.global.GlobalMessages.Report;
import dev.streamnorm.operators.typeutils.FeatureRecordSerializer;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.RunningStatsSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import javax.annotation.Nullable;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/**
 * Global scope's merger, on the JobManager: collects every subtask's partial moments of each
 * event-time batch, and when the slowest active subtask's watermark has passed a batch's end,
 * merges them exactly (Chan et al., in the order of their origins, so the result does not depend on
 * arrival order), advances the one set of running statistics once ({@link GlobalRunningStats}), and
 * sends every running subtask what normalizes the batch.
 *
 * <p>Exactly once. The checkpoint holds the running statistics, the open batches' partials, the
 * outcomes of recent batches, the generation of partial origins, and the subtasks whose input has
 * ended with the records they handed off ({@link Handoffs}). Events to a subtask sent after this
 * checkpoint reach it after its own snapshot (Flink holds them back), so a batch that a subtask has
 * resolved in its state is closed in this state too. Events from a subtask may be lost to a restore
 * (sent after this checkpoint, before the subtask's); so every subtask, when it starts or restores,
 * registers and repeats every partial it has sent without an answer. A repeated partial of an open
 * batch is ignored, one of a closed batch is answered with the batch's recorded outcome: that also
 * serves a subtask that is restored alone while this coordinator keeps running (a failover of its
 * region only). Outcomes are kept until a checkpoint completes that no subtask can restore to
 * before them, and at most the last {@link #MAX_OUTCOMES}. A failover that restores every subtask
 * also returns this coordinator to its snapshot of that checkpoint.
 *
 * <p>End of input. A subtask whose input has ended and that still holds records hands them here
 * ({@link Handoff}); if another subtask still runs, the records of batches still open are kept here
 * and go, when their batch closes, to the lowest running subtask ({@link Adopted}), ahead of the
 * outcomes; the last subtask running keeps its own.
 *
 * <p>A batch closes once: a partial of a closed batch whose outcome is no longer known (its subtask
 * was idle while the others closed the batch, for longer than the outcomes are kept) is counted in
 * {@code latePartials} and its records are normalized as late records.
 */
final class BatchStatsCoordinator implements OperatorCoordinator {
    /** Bound on the outcomes kept for repeated or late partials. */
    static final int MAX_OUTCOMES = 1024;

    private static final int STATE_VERSION = 1;

    private final Context context;
    private final Normalization config;
    private final RecordShape shape;
    private final long interval;
    private final int parallelism;
    private final SubtaskGateway[] gateways;
    private final long[] watermarks;
    private final boolean[] idle;
    // Events for a subtask whose new attempt is not ready yet.
    private final List<List<OperatorEvent>> undelivered = new ArrayList<>();
    private final Counter latePartials;
    private final Handoffs handoffs;
    private final GlobalRunningStats running;
    // Batch start -> origin -> partial moments, of the batches not closed yet.
    private final TreeMap<Long, TreeMap<Integer, ChannelMoments>> pending = new TreeMap<>();
    private final TreeMap<Long, Tuple2<Long, RunningStats>> outcomes = new TreeMap<>();
    // Checkpoint id -> the lowest subtask watermark when the checkpoint was taken.
    private final TreeMap<Long, Long> pruneAt = new TreeMap<>();
    // This coordinator's snapshots from the latest completed checkpoint on, by checkpoint id.
    private final TreeMap<Long, byte[]> snapshots = new TreeMap<>();
    // Subtasks reset by the failover under way (their region restarts), to which checkpoint.
    private final TreeMap<Integer, Long> resets = new TreeMap<>();

    private long closedUpTo;
    // One more at every restore at another parallelism (see GlobalMessages.origin).
    private int generation;
    private long lastCheckpoint = NO_CHECKPOINT;
    // The last checkpoint taken before records last moved between subtasks (NO_CHECKPOINT - 1:
    // they never did).
    private long handoffAfter = NO_CHECKPOINT - 1;

    BatchStatsCoordinator(Context context, Normalization config, RecordShape shape) {
        this.context = context;
        this.config = config;
        this.shape = shape;
        this.interval = config.batchInterval().toMillis();
        this.parallelism = context.currentParallelism();
        this.gateways = new SubtaskGateway[parallelism];
        this.watermarks = new long[parallelism];
        this.idle = new boolean[parallelism];
        for (int i = 0; i < parallelism; i++) {
            undelivered.add(new ArrayList<>());
        }
        this.running =
                new GlobalRunningStats(
                        config,
                        shape,
                        context.metricGroup().counter("batches"),
                        context.metricGroup().counter("singleValueBatches"));
        this.latePartials = context.metricGroup().counter("latePartials");
        this.handoffs = new Handoffs(parallelism);
        reset(null);
    }

    @Override
    public void start() {}

    @Override
    public void close() {}

    @Override
    public void handleEventFromOperator(int subtask, int attemptNumber, OperatorEvent event) {
        if (event instanceof Handoff) {
            handleHandoff(subtask, (Handoff) event);
        } else {
            handleReport(subtask, (Report) event);
        }
    }

    private void handleReport(int subtask, Report report) {
        if (report.register) {
            // Running (again, if a restore did not leave it finished).
            handoffs.rejoin(subtask);
            send(subtask, new Registered(generation, running.current()));
        }
        watermarks[subtask] = Math.max(watermarks[subtask], report.watermark);
        idle[subtask] = report.idle;
        List<Tuple2<Long, RunningStats>> answers = new ArrayList<>();
        List<Long> late = new ArrayList<>();
        for (Tuple3<Long, Integer, ChannelMoments> partial : report.partials()) {
            if (closed(partial.f0)) {
                answer(partial.f0, answers, late);
            } else {
                pending.computeIfAbsent(partial.f0, b -> new TreeMap<>())
                        .putIfAbsent(partial.f1, partial.f2);
            }
        }
        for (long batch : report.queries) {
            if (closed(batch)) {
                answer(batch, answers, late);
            }
        }
        if (!answers.isEmpty() || !late.isEmpty() || report.register) {
            answers.sort((a, b) -> Long.compare(a.f0, b.f0));
            send(subtask, new Outcomes(answers, running.current(), toArray(late), closedUpTo));
        }
        advance();
    }

    private boolean closed(long batch) {
        return batch + interval - 1 <= closedUpTo;
    }

    /**
     * A subtask at the end of its input hands off what it holds: if another subtask still runs, it
     * takes the records of the batches still open (they go to a running subtask when the batch
     * closes) and releases the subtask; the last one running keeps its records.
     */
    private void handleHandoff(int subtask, Handoff handoff) {
        handoffs.receive(subtask, handoff.records());
        if (!handoff.last) {
            return;
        }
        if (!handoffs.othersRunning(subtask)) {
            handoffs.discardIncoming(subtask);
            send(subtask, new HandoffReply(false, new long[0]));
            return;
        }
        long[] taken = handoffs.release(subtask, batch -> !closed(batch));
        watermarks[subtask] = Long.MAX_VALUE;
        handoffAfter = lastCheckpoint;
        send(subtask, new HandoffReply(true, taken));
        advance();
    }

    private void answer(long batch, List<Tuple2<Long, RunningStats>> answers, List<Long> late) {
        Tuple2<Long, RunningStats> outcome = outcomes.get(batch);
        if (outcome != null) {
            answers.add(outcome);
        } else {
            latePartials.inc();
            late.add(batch);
        }
    }

    /** Closes every batch that the slowest active subtask has passed, and tells every subtask. */
    private void advance() {
        long low = Long.MAX_VALUE;
        boolean active = false;
        for (int i = 0; i < parallelism; i++) {
            if (!idle[i] || watermarks[i] == Long.MAX_VALUE) {
                low = Math.min(low, watermarks[i]);
                active = true;
            }
        }
        if (!active || low <= closedUpTo) {
            return;
        }
        closedUpTo = low;
        List<Tuple2<Long, RunningStats>> closedNow = new ArrayList<>();
        while (!pending.isEmpty() && closed(pending.firstKey())) {
            Map.Entry<Long, TreeMap<Integer, ChannelMoments>> batch = pending.pollFirstEntry();
            ChannelMoments merged = new ChannelMoments(shape.channels());
            // TreeMap: in origin order, so the merge is bit-reproducible.
            for (ChannelMoments partial : batch.getValue().values()) {
                merged.combine(partial);
            }
            RunningStats normalizeWith = running.close(merged);
            Tuple2<Long, RunningStats> outcome = Tuple2.of(batch.getKey(), normalizeWith);
            outcomes.put(batch.getKey(), outcome);
            closedNow.add(outcome);
        }
        adoptOrphans();
        if (!closedNow.isEmpty() || closedUpTo == Long.MAX_VALUE) {
            Outcomes event = new Outcomes(closedNow, running.current(), new long[0], closedUpTo);
            for (int i = 0; i < parallelism; i++) {
                if (!handoffs.released(i)) {
                    send(i, event);
                }
            }
        }
        while (outcomes.size() > MAX_OUTCOMES) {
            outcomes.pollFirstEntry();
        }
    }

    /**
     * Sends the handed-off records of the batches just closed to a running subtask, ahead of the
     * outcomes (so its watermark is still below them), with what normalizes them.
     */
    private void adoptOrphans() {
        TreeMap<Long, List<FeatureRecord>> closedOrphans = handoffs.takeOrphans(this::closed);
        if (closedOrphans.isEmpty()) {
            return;
        }
        int adopter = handoffs.adopter();
        for (Map.Entry<Long, List<FeatureRecord>> batch : closedOrphans.entrySet()) {
            Tuple2<Long, RunningStats> outcome = outcomes.get(batch.getKey());
            // Without an outcome the batch closed before its partials came: normalize as late.
            boolean late = outcome == null;
            RunningStats stats = late ? running.currentOrInitial() : outcome.f1;
            for (byte[] chunk :
                    GlobalMessages.chunks(
                            FeatureRecordSerializer.INSTANCE,
                            batch.getValue(),
                            GlobalMessages.MAX_RECORD_BYTES_PER_EVENT)) {
                send(adopter, new Adopted(batch.getKey(), late, stats, chunk));
            }
        }
        handoffAfter = lastCheckpoint;
    }

    private void send(int subtask, OperatorEvent event) {
        if (gateways[subtask] != null) {
            gateways[subtask].sendEvent(event);
        } else {
            undelivered.get(subtask).add(event);
        }
    }

    private long lowestWatermark() {
        return Arrays.stream(watermarks).min().orElse(Long.MIN_VALUE);
    }

    /** Forgets the outcomes of batches that end at or before {@code watermark}. */
    private void prune(long watermark) {
        while (!outcomes.isEmpty() && outcomes.firstKey() + interval - 1 <= watermark) {
            outcomes.pollFirstEntry();
        }
    }

    @Override
    public void checkpointCoordinator(long checkpointId, CompletableFuture<byte[]> result) {
        try {
            lastCheckpoint = checkpointId;
            pruneAt.put(checkpointId, lowestWatermark());
            byte[] snapshot = snapshot();
            snapshots.put(checkpointId, snapshot);
            result.complete(snapshot);
        } catch (Throwable t) {
            result.completeExceptionally(t);
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Long watermark = pruneAt.get(checkpointId);
        if (watermark != null) {
            prune(watermark);
        }
        pruneAt.headMap(checkpointId, true).clear();
        snapshots.headMap(checkpointId, false).clear();
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        snapshots.remove(checkpointId);
    }

    @Override
    public void resetToCheckpoint(long checkpointId, @Nullable byte[] checkpointData)
            throws IOException {
        resets.clear();
        reset(checkpointData);
    }

    private void reset(@Nullable byte[] data) {
        Arrays.fill(watermarks, Long.MIN_VALUE);
        Arrays.fill(idle, false);
        undelivered.forEach(List::clear);
        pending.clear();
        outcomes.clear();
        pruneAt.clear();
        handoffs.clear();
        handoffAfter = NO_CHECKPOINT - 1;
        closedUpTo = Long.MIN_VALUE;
        generation = 0;
        running.reset(null);
        if (data != null) {
            try {
                restore(data);
            } catch (IOException e) {
                throw new IllegalStateException("unreadable global-scope coordinator state", e);
            }
        }
        for (int i = 0; i < parallelism; i++) {
            if (handoffs.released(i)) {
                watermarks[i] = Long.MAX_VALUE;
            }
        }
    }

    private byte[] snapshot() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        out.writeInt(STATE_VERSION);
        out.writeInt(parallelism);
        out.writeInt(generation);
        out.writeLong(closedUpTo);
        RunningStats current = running.current();
        out.writeBoolean(current != null);
        if (current != null) {
            RunningStatsSerializer.INSTANCE.serialize(current, out);
        }
        List<Tuple3<Long, Integer, ChannelMoments>> partials = new ArrayList<>();
        for (Map.Entry<Long, TreeMap<Integer, ChannelMoments>> batch : pending.entrySet()) {
            for (Map.Entry<Integer, ChannelMoments> partial : batch.getValue().entrySet()) {
                partials.add(Tuple3.of(batch.getKey(), partial.getKey(), partial.getValue()));
            }
        }
        GlobalMessages.writeList(GlobalMessages.PARTIAL_SERIALIZER.duplicate(), partials, out);
        GlobalMessages.writeList(
                GlobalMessages.OUTCOME_SERIALIZER.duplicate(),
                new ArrayList<>(outcomes.values()),
                out);
        handoffs.snapshot(out);
        return out.getCopyOfBuffer();
    }

    private void restore(byte[] data) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(data);
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("unknown state version " + version);
        }
        boolean rescaled = in.readInt() != parallelism;
        generation = in.readInt() + (rescaled ? 1 : 0);
        closedUpTo = in.readLong();
        running.reset(in.readBoolean() ? RunningStatsSerializer.INSTANCE.deserialize(in) : null);
        for (Tuple3<Long, Integer, ChannelMoments> partial :
                GlobalMessages.readList(GlobalMessages.PARTIAL_SERIALIZER.duplicate(), in)) {
            pending.computeIfAbsent(partial.f0, b -> new TreeMap<>()).put(partial.f1, partial.f2);
        }
        for (Tuple2<Long, RunningStats> outcome :
                GlobalMessages.readList(GlobalMessages.OUTCOME_SERIALIZER.duplicate(), in)) {
            outcomes.put(outcome.f0, outcome);
        }
        handoffs.restore(in, !rescaled);
    }

    /**
     * A failover restores some subtasks, whose region restarts, to a checkpoint. When it restores
     * every subtask, this coordinator returns to its own snapshot of that checkpoint, as in a
     * global failover. Otherwise it keeps its state: the restored subtasks register again with
     * their restored progress and unanswered partials, and are answered then; but if records have
     * been handed between subtasks since that checkpoint, restoring only some subtasks would lose
     * or repeat them, and the whole job restarts instead.
     */
    @Override
    public void subtaskReset(int subtask, long checkpointId) {
        undelivered.get(subtask).clear();
        handoffs.discardIncoming(subtask);
        resets.put(subtask, checkpointId);
        if (resets.size() == parallelism
                && (checkpointId == NO_CHECKPOINT || snapshots.containsKey(checkpointId))) {
            resets.clear();
            reset(checkpointId == NO_CHECKPOINT ? null : snapshots.get(checkpointId));
        }
    }

    @Override
    public void executionAttemptFailed(int subtask, int attemptNumber, @Nullable Throwable reason) {
        if (gateways[subtask] != null
                && gateways[subtask].getExecution().getAttemptNumber() == attemptNumber) {
            gateways[subtask] = null;
            handoffs.discardIncoming(subtask);
        }
    }

    @Override
    public void executionAttemptReady(int subtask, int attemptNumber, SubtaskGateway gateway) {
        if (!resets.isEmpty()) {
            // The failover restored only some subtasks (the resets all come before any restart).
            long checkpoint = resets.firstEntry().getValue();
            resets.clear();
            if (handoffAfter >= checkpoint) {
                context.failJob(
                        new IllegalStateException(
                                "global scope: subtasks restored to checkpoint "
                                        + checkpoint
                                        + " without the others, after records were handed"
                                        + " between subtasks; restarting all of them"));
            }
        }
        gateways[subtask] = gateway;
        for (OperatorEvent event : undelivered.get(subtask)) {
            gateway.sendEvent(event);
        }
        undelivered.get(subtask).clear();
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** Creates the coordinator on the JobManager. */
    static final class Provider implements OperatorCoordinator.Provider {
        private static final long serialVersionUID = 1L;

        private final OperatorID operatorId;
        private final Normalization config;
        private final RecordShape shape;

        Provider(OperatorID operatorId, Normalization config, RecordShape shape) {
            this.operatorId = operatorId;
            this.config = config;
            this.shape = shape;
        }

        @Override
        public OperatorID getOperatorId() {
            return operatorId;
        }

        @Override
        public OperatorCoordinator create(Context context) {
            return new BatchStatsCoordinator(context, config, shape);
        }
    }
}
