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
 * <p>A subtask far ahead of the slowest one pauses before each record ({@link Lead}).
 *
 * <p>End of input. A subtask waits for its batches to close only while batches keep closing:
 * another subtask's progress may depend on it finishing (a source with watermark alignment holds
 * the other sources back until this one's source has reported the end of its input, which it does
 * only after this operator has finished). When no batch has closed for four watermark intervals (at
 * least 100 ms), it hands the records it still holds to the coordinator and finishes; they are
 * normalized and emitted by a subtask still running when their batch closes ({@code
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
 * latest running statistics; until then no partial is sent. The subtask also repeats its unanswered
 * partials (see the coordinator for why). After rescaling, a subtask's watermark is the lowest
 * restored one and records held without a partial of their own ask for their batch's outcome.
 */
final class GlobalNormalizeOperator extends AbstractStreamOperator<FeatureRecord>
        implements OneInputStreamOperator<FeatureRecord, FeatureRecord>, OperatorEventHandler {
    private static final long serialVersionUID = 1L;

    /** No timestamp to fall back on. */
    private static final long NONE = FeatureRecord.NO_TIMESTAMP;

    private final Normalization config;
    private final RecordShape shape;
    private final long interval;
    private final transient OperatorEventGateway coordinator;
    private final transient MailboxExecutor mailbox;

    private transient SubtaskBatches batches;
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
    // Emitted records go out in this wrapper (the chained output copies or serializes the value).
    private transient StreamRecord<FeatureRecord> outRecord;
    // Without object reuse, the chained output copies each record: one values array serves all.
    private transient boolean reuseOutputValues;
    private transient Lead lead;
    // Too far ahead of the slowest subtask: pause before each record (see Lead).
    private transient boolean pausing;
    private transient long maxLeadNanos;
    private transient ListState<Tuple2<Long, FeatureRecord>> recordsState;
    private transient ListState<Tuple3<Long, Integer, ChannelMoments>> partialsState;
    private transient ListState<Long> watermarkState;
    private transient ListState<Tuple2<Long, FeatureRecord>> lateState;
    private transient ChannelNormalizer normalizer;
    private transient NormMetrics metrics;
    private transient Counter handedOffRecords;
    private transient Counter adoptedRecords;

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
        batches = new SubtaskBatches(shape, interval);
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
        batches.restore(partialsState.get(), recordsState.get());
    }

    @Override
    public void open() throws Exception {
        super.open();
        normalizer = config.batchNorm(shape).newNormalizer();
        metrics = new NormMetrics(getMetricGroup());
        outRecord = new StreamRecord<>(null);
        lead = new Lead();
        pausing = false;
        maxLeadNanos = patienceMillis(2) * 1_000_000L;
        reuseOutputValues = !getExecutionConfig().isObjectReuseEnabled();
        handedOffRecords = getMetricGroup().counter("handedOffRecords");
        adoptedRecords = getMetricGroup().counter("adoptedRecords");
        coordinator.sendEventToCoordinator(
                new Report(watermark, false, true, batches.unanswered(), batches.queries()));
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        recordsState.update(batches.records());
        partialsState.update(batches.partials());
        watermarkState.update(List.of(watermark));
        lateState.update(lateBeforeRegistration);
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public void processElement(StreamRecord<FeatureRecord> element) throws Exception {
        if (pausing) {
            Thread.sleep(1);
            pausing = lead.nanosAhead(closedUpTo, System.nanoTime()) > maxLeadNanos;
        }
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
            long timestamp = element.hasTimestamp() ? element.getTimestamp() : NONE;
            if (registered) {
                emitLate(record, timestamp);
            } else {
                lateBeforeRegistration.add(Tuple2.of(timestamp, record));
            }
            return;
        }
        batches.add(start, record);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() <= watermark) {
            return;
        }
        watermark = mark.getTimestamp();
        long now = System.nanoTime();
        lead.advanced(watermark, now);
        pausing = lead.nanosAhead(closedUpTo, now) > maxLeadNanos;
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
        List<Tuple3<Long, Integer, ChannelMoments>> closed = batches.close(watermark, origin);
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
            allowed = Math.min(allowed, batches.firstStart() - 1);
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
            emitLate(late.f1, late.f0);
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
        pausing = lead.nanosAhead(closedUpTo, System.nanoTime()) > maxLeadNanos;
        RunningStats running = outcomes.running();
        if (running != null) {
            updateLatest(running);
        }
        for (Tuple2<Long, RunningStats> outcome : outcomes.outcomes()) {
            HeldRecords records = batches.release(outcome.f0);
            if (records != null) {
                normalizer.useRunningStats(outcome.f1);
                long end = outcome.f0 + interval - 1;
                records.normalizeEach(
                        normalizer, reuseOutputValues, record -> collect(record, end));
            }
        }
        for (long start : outcomes.late) {
            HeldRecords records = batches.release(start);
            if (records != null) {
                records.forEach(record -> emitLate(record, start + interval - 1));
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

    private void updateLatest(RunningStats stats) {
        if (latest == null || stats.numBatchesTracked() >= latest.numBatchesTracked()) {
            latest = stats;
        }
    }

    /**
     * End of input: waits while batches keep closing, then hands what this subtask still holds to
     * the coordinator and finishes, unless it is the last subtask running; that one waits until
     * every batch has closed (the others have finished, so nothing it waits for depends on it).
     */
    @Override
    public void finish() throws Exception {
        while (!registered) {
            mailbox.yield();
        }
        // The end of input is the end of event time here: every batch held closes.
        processWatermark(Watermark.MAX_WATERMARK);
        awaitBatchesWhileOthersProgress();
        List<byte[]> chunks =
                GlobalMessages.chunks(
                        GlobalMessages.WINDOWED_RECORD_SERIALIZER,
                        batches.records(),
                        GlobalMessages.MAX_RECORD_BYTES_PER_EVENT);
        for (int i = 0; i < chunks.size(); i++) {
            coordinator.sendEventToCoordinator(new Handoff(chunks.get(i), i == chunks.size() - 1));
        }
        while (handoffReply == null) {
            mailbox.yield();
        }
        if (handoffReply.accepted) {
            for (long start : handoffReply.taken) {
                handedOffRecords.inc(batches.drop(start));
            }
            // The batches that closed before the hand-off were answered before the reply.
            checkState(batches.isEmpty(), "batches left after the hand-off: %s", batches);
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

    /**
     * Waits for the batches held here to close while batches keep closing: at most four watermark
     * intervals (at least 100 ms) without any closing.
     */
    private void awaitBatchesWhileOthersProgress() throws InterruptedException {
        long stall = patienceMillis(4) * 1_000_000L;
        long lastClosed = closedUpTo;
        long lastProgress = System.nanoTime();
        while (!batches.isEmpty()) {
            if (mailbox.tryYield()) {
                if (closedUpTo != lastClosed) {
                    lastClosed = closedUpTo;
                    lastProgress = System.nanoTime();
                }
            } else if (System.nanoTime() - lastProgress > stall) {
                return;
            } else {
                Thread.sleep(1);
            }
        }
    }

    /**
     * {@code periods} periodic watermark intervals (Flink's {@code
     * pipeline.auto-watermark-interval}) in milliseconds, at least 100: about how often the other
     * subtasks' progress can show.
     */
    private long patienceMillis(int periods) {
        return Math.max(
                100, periods * Math.max(0, getExecutionConfig().getAutoWatermarkInterval()));
    }

    private void emitLate(FeatureRecord record, long fallbackTimestamp) {
        metrics.lateRecords.inc();
        normalizer.useRunningStats(latestOrInitial());
        emit(record, fallbackTimestamp);
    }

    private RunningStats latestOrInitial() {
        return latest != null
                ? latest
                : config.initialStats()
                        .lookup(StatsTable.ANY_KEY)
                        .orElseGet(() -> RunningStats.initial(shape.channels()));
    }

    private void emit(FeatureRecord record, long fallbackTimestamp) {
        normalizer.apply(record.values(), record.values());
        collect(record, fallbackTimestamp);
    }

    /**
     * Emits a normalized record at its own event time, else at {@code fallbackTimestamp} ({@link
     * #NONE}: without one).
     */
    private void collect(FeatureRecord record, long fallbackTimestamp) {
        metrics.recordsNormalized.inc();
        long own = record.timestamp();
        long time = own != FeatureRecord.NO_TIMESTAMP && own >= 0 ? own : fallbackTimestamp;
        if (time != NONE) {
            outRecord.replace(record, time);
        } else {
            outRecord.replace(record);
            outRecord.eraseTimestamp();
        }
        output.collect(outRecord);
    }
}
