package dev.streamnorm.operators.internal.global;

import static org.apache.flink.util.Preconditions.checkState;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.internal.NormMetrics;
import dev.streamnorm.operators.internal.RecordCheck;
import dev.streamnorm.operators.internal.global.GlobalMessages.Adopted;
import dev.streamnorm.operators.internal.global.GlobalMessages.Handoff;
import dev.streamnorm.operators.internal.global.GlobalMessages.HandoffReply;
import dev.streamnorm.operators.internal.global.GlobalMessages.Outcomes;
import dev.streamnorm.operators.internal.global.GlobalMessages.Registered;
import dev.streamnorm.operators.internal.global.GlobalMessages.Report;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.operators.coordination.OperatorEventHandler;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Global scope on every subtask, chained to the records' producer (no network hop for records):
 * holds each record in its event-time batch and accumulates the subtask's partial moments of it.
 * When the watermark passes a batch's end, the partial goes to the {@link BatchStatsCoordinator};
 * when the coordinator's outcome of the batch comes back, the batch's records are normalized and
 * emitted. The outgoing watermark stays below the oldest batch held here and below every batch not
 * yet closed on all subtasks, so no record is emitted behind it.
 *
 * <p>Every subtask reports when its watermark enters a new batch interval, with or without records,
 * and when it turns idle or active, so batches close without idle subtasks. Dead letters leave at
 * once ({@link Normalization#DEAD_LETTERS}). Late records (their batch had closed here) are
 * normalized at once with the latest running statistics.
 *
 * <p>End of input. A subtask never waits for the others when its input ends: another subtask's
 * progress may depend on it finishing (a source with watermark alignment holds the other sources
 * back until this one's source has reported the end of its input, which it does only after this
 * operator has finished). It hands the records it still holds to the coordinator and finishes;
 * they are normalized and emitted by a subtask still running when their batch closes ({@code
 * handedOffRecords}, {@code adoptedRecords}). The last subtask running keeps its records, waits
 * until every batch has closed and emits the final running statistics when asked ({@link
 * Normalization#FINAL_STATS}).
 *
 * <p>State: held records, open and sent-but-unanswered partials, the watermark (Flink does not
 * restore watermarks, and without it a record that was late before a failure would, replayed,
 * reopen a closed batch) and late records that came before the coordinator answered the
 * registration. No union state: a subtask may finish while the others run, and Flink takes no
 * checkpoint of a partly finished operator with union state. Every start or restore registers with
 * the coordinator, which answers with the origin of the subtask's partials (a new generation after
 * a restore at another parallelism, so that they never collide with those sent before) and the
 * latest running statistics; until then no partial is sent. The subtask also repeats its
 * unanswered partials (see the coordinator for why). After rescaling, a subtask's watermark is the
 * lowest restored one and records held without a partial of their own ask for their batch's
 * outcome.
 */
final class GlobalNormalizeOperator extends AbstractStreamOperator<FeatureRecord>
        implements OneInputStreamOperator<FeatureRecord, FeatureRecord>, OperatorEventHandler {
    private static final long serialVersionUID = 1L;

    /** The origin of a partial still being accumulated (in snapshots). */
    private static final int OPEN = -1;

    private final Normalization config;
    private final RecordShape shape;
    private final long interval;
    private final transient OperatorEventGateway coordinator;
    private final transient MailboxExecutor mailbox;

    private transient TreeMap<Long, Batch> batches;
    private transient long currentStart;
    @Nullable private transient Batch current;
    @Nullable private transient RunningStats latest;
    private transient long watermark;
    private transient long emittedWatermark;
    private transient boolean idle;
    private transient long closedUpTo;
    // The watermark last reported to the coordinator.
    private transient long reported;
    // Until the coordinator answers the registration: no partials (their origin is not known) and
    // late records wait for the latest running statistics.
    private transient boolean registered;
    private transient int origin;
    private transient List<Tuple2<Long, FeatureRecord>> lateBeforeRegistration;
    @Nullable private transient HandoffReply handoffReply;
    private transient boolean finished;
    private transient ListState<Tuple2<Long, FeatureRecord>> recordsState;
    private transient ListState<Tuple3<Long, Integer, ChannelMoments>> partialsState;
    private transient ListState<Long> watermarkState;
    private transient ListState<Tuple2<Long, FeatureRecord>> lateState;
    private transient ChannelNormalizer normalizer;
    private transient NormMetrics metrics;
    private transient Counter handedOffRecords;
    private transient Counter adoptedRecords;

    /** The records of one batch on this subtask, and its partial moments. */
    private static final class Batch {
        final List<FeatureRecord> records = new ArrayList<>();
        // This subtask's moments while the batch is open here.
        @Nullable ChannelMoments moments;
        // Partials sent to the coordinator and not answered yet: repeated after a restore.
        final List<Tuple3<Long, Integer, ChannelMoments>> sent = new ArrayList<>();
        // Reported (or asked for): the coordinator's outcome releases the records.
        boolean awaiting;
    }

    GlobalNormalizeOperator(
            StreamOperatorParameters<FeatureRecord> parameters,
            Normalization config,
            RecordShape shape,
            OperatorEventGateway coordinator,
            MailboxExecutor mailbox) {
        super(parameters);
        this.config = config;
        this.shape = shape;
        this.interval = config.batchInterval().toMillis();
        this.coordinator = coordinator;
        this.mailbox = mailbox;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        recordsState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "global-records", GlobalMessages.WINDOWED_RECORD));
        partialsState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "global-partials", GlobalMessages.PARTIAL));
        watermarkState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("global-watermark", Types.LONG));
        lateState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "global-late-records", GlobalMessages.WINDOWED_RECORD));
        batches = new TreeMap<>();
        current = null;
        latest = null;
        idle = false;
        registered = false;
        finished = false;
        handoffReply = null;
        closedUpTo = Long.MIN_VALUE;
        emittedWatermark = Long.MIN_VALUE;
        // Its own watermark after a failover; the lowest one after rescaling (none: a new subtask).
        watermark = Long.MIN_VALUE;
        boolean restored = false;
        for (Long mark : watermarkState.get()) {
            watermark = restored ? Math.min(watermark, mark) : mark;
            restored = true;
        }
        reported = watermark;
        lateBeforeRegistration = new ArrayList<>();
        lateState.get().forEach(lateBeforeRegistration::add);
        for (Tuple3<Long, Integer, ChannelMoments> partial : partialsState.get()) {
            Batch batch = batch(partial.f0);
            if (partial.f1 == OPEN) {
                if (batch.moments == null) {
                    batch.moments = partial.f2;
                } else {
                    batch.moments.combine(partial.f2);
                }
            } else {
                batch.sent.add(partial);
                batch.awaiting = true;
            }
        }
        for (Tuple2<Long, FeatureRecord> record : recordsState.get()) {
            batch(record.f0).records.add(record.f1);
        }
        for (Batch batch : batches.values()) {
            // Records without a partial here (after rescaling): ask for their batch's outcome.
            batch.awaiting |= batch.moments == null;
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        normalizer = config.batchNorm(shape).newNormalizer();
        metrics = new NormMetrics(getMetricGroup());
        handedOffRecords = getMetricGroup().counter("handedOffRecords");
        adoptedRecords = getMetricGroup().counter("adoptedRecords");
        List<Tuple3<Long, Integer, ChannelMoments>> unanswered = new ArrayList<>();
        List<Long> queries = new ArrayList<>();
        for (Map.Entry<Long, Batch> e : batches.entrySet()) {
            unanswered.addAll(e.getValue().sent);
            if (e.getValue().awaiting && e.getValue().sent.isEmpty()) {
                queries.add(e.getKey());
            }
        }
        coordinator.sendEventToCoordinator(
                new Report(
                        watermark,
                        false,
                        true,
                        unanswered,
                        queries.stream().mapToLong(Long::longValue).toArray()));
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        recordsState.update(heldRecords());
        List<Tuple3<Long, Integer, ChannelMoments>> partials = new ArrayList<>();
        for (Map.Entry<Long, Batch> e : batches.entrySet()) {
            Batch batch = e.getValue();
            if (batch.moments != null) {
                partials.add(Tuple3.of(e.getKey(), OPEN, batch.moments));
            }
            partials.addAll(batch.sent);
        }
        partialsState.update(partials);
        watermarkState.update(List.of(watermark));
        lateState.update(lateBeforeRegistration);
    }

    private List<Tuple2<Long, FeatureRecord>> heldRecords() {
        List<Tuple2<Long, FeatureRecord>> records = new ArrayList<>();
        for (Map.Entry<Long, Batch> e : batches.entrySet()) {
            for (FeatureRecord record : e.getValue().records) {
                records.add(Tuple2.of(e.getKey(), record));
            }
        }
        return records;
    }

    private Batch batch(long start) {
        return batches.computeIfAbsent(start, s -> new Batch());
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public void processElement(StreamRecord<FeatureRecord> element) {
        FeatureRecord record = element.getValue();
        DeadLetter rejected = RecordCheck.check(record, shape.size(), shape);
        if (rejected != null) {
            metrics.deadLetter(rejected.error());
            output.collect(Normalization.DEAD_LETTERS, new StreamRecord<>(rejected));
            return;
        }
        long time =
                record.timestamp() != FeatureRecord.NO_TIMESTAMP
                        ? record.timestamp()
                        : element.hasTimestamp()
                                ? element.getTimestamp()
                                : FeatureRecord.NO_TIMESTAMP;
        long start = GlobalMessages.windowStart(time, interval);
        if (time == FeatureRecord.NO_TIMESTAMP || start + interval - 1 <= watermark) {
            Long timestamp = element.hasTimestamp() ? element.getTimestamp() : null;
            if (registered) {
                emitLate(record, timestamp);
            } else {
                lateBeforeRegistration.add(
                        Tuple2.of(timestamp == null ? FeatureRecord.NO_TIMESTAMP : timestamp, record));
            }
            return;
        }
        Batch batch = current;
        if (batch == null || start != currentStart) {
            batch = batch(start);
            current = batch;
            currentStart = start;
        }
        if (batch.moments == null) {
            batch.moments = new ChannelMoments(shape.channels());
        }
        batch.moments.acceptRecord(record.values(), shape);
        batch.records.add(record);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() <= watermark) {
            return;
        }
        watermark = mark.getTimestamp();
        if (registered) {
            report();
        }
        forwardWatermark();
    }

    /**
     * Sends the partials of the batches the watermark has passed, with the watermark when it has
     * entered a new batch interval (or closed a batch here).
     */
    private void report() {
        List<Tuple3<Long, Integer, ChannelMoments>> closed = new ArrayList<>();
        for (Map.Entry<Long, Batch> e : batches.entrySet()) {
            if (e.getKey() + interval - 1 > watermark) {
                break;
            }
            Batch batch = e.getValue();
            if (batch.moments != null) {
                Tuple3<Long, Integer, ChannelMoments> partial =
                        Tuple3.of(e.getKey(), origin, batch.moments);
                closed.add(partial);
                batch.sent.add(partial);
                batch.moments = null;
                batch.awaiting = true;
            }
        }
        if (!closed.isEmpty()
                || reported == Long.MIN_VALUE
                || GlobalMessages.windowStart(reported, interval)
                        != GlobalMessages.windowStart(watermark, interval)) {
            coordinator.sendEventToCoordinator(
                    new Report(watermark, idle, false, closed, new long[0]));
            reported = watermark;
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (status.isIdle() != idle) {
            idle = status.isIdle();
            coordinator.sendEventToCoordinator(
                    new Report(watermark, idle, false, List.of(), new long[0]));
        }
        super.processWatermarkStatus(status);
    }

    /**
     * Forwards the watermark, but below the oldest batch held here and below the first batch not
     * closed on every subtask (records of it may still come here from a subtask that finished).
     */
    private void forwardWatermark() {
        long allowed = Math.min(watermark, closedBatchesEnd());
        if (!batches.isEmpty()) {
            allowed = Math.min(allowed, batches.firstKey() - 1);
        }
        if (allowed > emittedWatermark) {
            emittedWatermark = allowed;
            output.emitWatermark(new Watermark(allowed));
        }
    }

    /** The end of the last batch closed on every subtask, as far as this subtask knows. */
    private long closedBatchesEnd() {
        if (closedUpTo == Long.MIN_VALUE || closedUpTo == Long.MAX_VALUE) {
            return closedUpTo;
        }
        return GlobalMessages.windowStart(closedUpTo + 1, interval) - 1;
    }

    @Override
    public void handleOperatorEvent(OperatorEvent event) {
        if (event instanceof Registered) {
            handleRegistered((Registered) event);
        } else if (event instanceof Outcomes) {
            handleOutcomes((Outcomes) event);
        } else if (event instanceof Adopted) {
            handleAdopted((Adopted) event);
        } else {
            handoffReply = (HandoffReply) event;
        }
    }

    /**
     * The coordinator's answer to the registration: the origin of this subtask's partials from now
     * on, and the latest running statistics; what waited for them goes out.
     */
    private void handleRegistered(Registered registration) {
        origin = GlobalMessages.origin(registration.generation, subtask());
        RunningStats running = registration.running();
        if (running != null) {
            updateLatest(running);
        }
        registered = true;
        for (Tuple2<Long, FeatureRecord> late : lateBeforeRegistration) {
            emitLate(late.f1, late.f0 == FeatureRecord.NO_TIMESTAMP ? null : late.f0);
        }
        lateBeforeRegistration.clear();
        if (watermark != reported) {
            report();
        }
    }

    private void handleOutcomes(Outcomes outcomes) {
        if (finished) {
            return;
        }
        closedUpTo = Math.max(closedUpTo, outcomes.closedUpTo);
        for (Tuple3<Long, RunningStats, RunningStats> outcome : outcomes.outcomes()) {
            updateLatest(outcome.f2);
            Batch batch = batches.get(outcome.f0);
            if (batch == null || !batch.awaiting) {
                continue;
            }
            release(outcome.f0);
            normalizer.useRunningStats(outcome.f1);
            long end = outcome.f0 + interval - 1;
            for (FeatureRecord record : batch.records) {
                emit(record, end);
            }
        }
        for (long start : outcomes.late) {
            Batch batch = batches.get(start);
            if (batch != null && batch.awaiting) {
                release(start);
                for (FeatureRecord record : batch.records) {
                    emitLate(record, start + interval - 1);
                }
            }
        }
        forwardWatermark();
    }

    /** Records that a finished subtask handed off: normalized and emitted here. */
    private void handleAdopted(Adopted adopted) {
        checkState(!finished, "records handed to a finished subtask");
        long end = adopted.batch + interval - 1;
        normalizer.useRunningStats(adopted.stats());
        for (FeatureRecord record : adopted.records()) {
            if (adopted.late) {
                metrics.lateRecords.inc();
            }
            emit(record, end);
            adoptedRecords.inc();
        }
    }

    private void release(long start) {
        batches.remove(start);
        if (start == currentStart) {
            current = null;
        }
    }

    private void updateLatest(RunningStats stats) {
        if (latest == null || stats.numBatchesTracked() >= latest.numBatchesTracked()) {
            latest = stats;
        }
    }

    /**
     * End of input: hands what this subtask holds to the coordinator and finishes at once, unless
     * it is the last subtask running; that one waits until every batch has closed (the others
     * have finished, so nothing it waits for depends on it).
     */
    @Override
    public void finish() throws Exception {
        while (!registered) {
            mailbox.yield();
        }
        // The end of input is the end of event time here: every batch held closes.
        processWatermark(Watermark.MAX_WATERMARK);
        List<byte[]> chunks =
                GlobalMessages.chunks(
                        GlobalMessages.WINDOWED_RECORD_SERIALIZER,
                        heldRecords(),
                        GlobalMessages.MAX_RECORD_BYTES_PER_EVENT);
        for (int i = 0; i < chunks.size(); i++) {
            coordinator.sendEventToCoordinator(new Handoff(chunks.get(i), i == chunks.size() - 1));
        }
        while (handoffReply == null) {
            mailbox.yield();
        }
        if (handoffReply.accepted) {
            for (long start : handoffReply.taken) {
                handedOffRecords.inc(batches.remove(start).records.size());
            }
            // The batches that closed before the hand-off were answered before the reply.
            checkState(batches.isEmpty(), "batches left after the hand-off: %s", batches.keySet());
            current = null;
            // Nothing more leaves from here: what was handed off leaves from a subtask whose
            // watermark is still below it.
            closedUpTo = Long.MAX_VALUE;
        } else {
            while (closedUpTo != Long.MAX_VALUE || !batches.isEmpty()) {
                mailbox.yield();
            }
        }
        forwardWatermark();
        if (!handoffReply.accepted && config.emitFinalStats() && latest != null) {
            output.collect(
                    Normalization.FINAL_STATS,
                    new StreamRecord<>(Tuple2.of(StatsTable.ANY_KEY, latest)));
        }
        finished = true;
        super.finish();
    }

    private void emitLate(FeatureRecord record, @Nullable Long timestamp) {
        metrics.lateRecords.inc();
        normalizer.useRunningStats(latestOrInitial());
        emit(record, timestamp);
    }

    private RunningStats latestOrInitial() {
        return latest != null
                ? latest
                : config.initialStats()
                        .lookup(StatsTable.ANY_KEY)
                        .orElseGet(() -> RunningStats.initial(shape.channels()));
    }

    private void emit(FeatureRecord record, @Nullable Long timestamp) {
        normalizer.apply(record.values(), record.values());
        metrics.recordsNormalized.inc();
        long time = record.timestamp() != FeatureRecord.NO_TIMESTAMP ? record.timestamp() : -1;
        if (time >= 0 || timestamp != null) {
            output.collect(new StreamRecord<>(record, time >= 0 ? time : timestamp));
        } else {
            output.collect(new StreamRecord<>(record));
        }
    }
}
