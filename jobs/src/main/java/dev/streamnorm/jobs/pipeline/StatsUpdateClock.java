package dev.streamnorm.jobs.pipeline;

import dev.streamnorm.jobs.codec.BadRecordException;
import dev.streamnorm.jobs.codec.StatsUpdateDecoder;
import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.jobs.io.UpdateTopicProbe;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsUpdate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event time of the stats-update branch: decodes update messages ({@link StatsUpdateDecoder};
 * version {@code "<partition>-<offset>"} and the Kafka timestamp when the message has none), stamps
 * each with its effective time, and emits the branch's watermark and idleness itself.
 *
 * <p><b>Never idle past a known update.</b> At every (re)start the operator asks the topic for its
 * {@code read_committed} end offsets. Until every committed message below them has been read, the
 * branch stays active and its watermark only advances with the updates read (the largest effective
 * time so far, minus 1 ms; emitted every {@value #TICK_MS} ms and on catching up), so held records
 * wait for an update that already sits in the topic, however late the reader starts. Offsets
 * without a message to deliver (transaction markers, aborted messages) are skipped by probing the
 * topic ({@link UpdateTopicProbe}) once the reader has been quiet for {@value #PROBE_AFTER_MS} ms.
 * Once caught up, the branch goes idle after {@code idleness} without a message, and back to active
 * with the next one.
 *
 * <p>The next unread offset of each partition and the largest effective time are operator state, so
 * a restore knows where it stands and waits for the updates published while the job was down. A
 * message that is not a valid update goes to {@link Normalization#DEAD_LETTERS} and still counts as
 * read. Metrics: {@code statsUpdates}, {@code badStatsUpdates}, {@code statsUpdatesCaughtUp} (0 or
 * 1).
 */
final class StatsUpdateClock extends AbstractStreamOperator<StatsUpdate>
        implements OneInputStreamOperator<RawRecord, StatsUpdate> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StatsUpdateClock.class);

    /** How often idleness and catching up are checked. */
    static final long TICK_MS = 100;

    /** How long the reader must be quiet before the topic is probed for undeliverable offsets. */
    static final long PROBE_AFTER_MS = 500;

    private static final Duration PROBE_BUDGET = Duration.ofMillis(500);

    private static final ListStateDescriptor<Tuple2<Integer, Long>> NEXT_OFFSETS =
            new ListStateDescriptor<>(
                    "stats-update-next-offsets", Types.TUPLE(Types.INT, Types.LONG));
    private static final ListStateDescriptor<Long> MAX_EFFECTIVE_FROM =
            new ListStateDescriptor<>("stats-update-max-effective-from", Types.LONG);

    private final Endpoint topic;
    private final KafkaSettings settings;
    private final String groupId;
    private final long idleMillis;

    private transient ListState<Tuple2<Integer, Long>> nextOffsetsState;
    private transient ListState<Long> maxEffectiveFromState;
    private transient UpdateTopicCatchUp catchUp;
    @Nullable private transient UpdateTopicProbe probe;
    private transient StatsUpdateDecoder decoder;
    private transient Counter updates;
    private transient Counter badUpdates;

    private transient boolean caughtUp;
    private transient boolean idle;
    private transient boolean ended;
    private transient long maxEffectiveFrom;
    private transient long lastEmittedWatermark;
    private transient long startedAt;
    private transient long lastReadAt;
    private transient long lastProbeAt;

    /**
     * @param topic the stats-update topic
     * @param settings the job's Kafka client properties
     * @param groupId the consumer group of the topic's source
     * @param idleness how long, once caught up, a quiet topic holds records back at most
     */
    StatsUpdateClock(Endpoint topic, KafkaSettings settings, String groupId, Duration idleness) {
        this.topic = topic;
        this.settings = settings;
        this.groupId = groupId;
        this.idleMillis = idleness.toMillis();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        nextOffsetsState = context.getOperatorStateStore().getListState(NEXT_OFFSETS);
        maxEffectiveFromState = context.getOperatorStateStore().getListState(MAX_EFFECTIVE_FROM);
        maxEffectiveFrom = Long.MIN_VALUE;
        for (Long time : maxEffectiveFromState.get()) {
            maxEffectiveFrom = Math.max(maxEffectiveFrom, time);
        }
        Map<Integer, Long> next = new HashMap<>();
        for (Tuple2<Integer, Long> offset : nextOffsetsState.get()) {
            next.merge(offset.f0, offset.f1, Math::max);
        }
        probe = new UpdateTopicProbe(topic.bootstrapServers(), topic.topic(), settings);
        List<Integer> partitions = probe.partitions();
        if (next.isEmpty()) {
            // A fresh start: the source reads from the earliest offset. A restore without this
            // operator's state (a savepoint of a job that did not follow updates, or of an older
            // version): the source resumes where its group committed, if it did.
            next =
                    context.isRestored()
                            ? probe.committedOffsets(groupId, partitions)
                            : probe.beginningOffsets(partitions);
        }
        catchUp = new UpdateTopicCatchUp(probe.endOffsets(partitions), next);
        LOG.info("Stats updates of {}: records wait until {}", topic, catchUp);
    }

    @Override
    public void open() throws Exception {
        super.open();
        decoder = new StatsUpdateDecoder();
        updates = getMetricGroup().counter("statsUpdates");
        badUpdates = getMetricGroup().counter("badStatsUpdates");
        getMetricGroup().gauge("statsUpdatesCaughtUp", () -> caughtUp ? 1 : 0);
        lastEmittedWatermark = Long.MIN_VALUE;
        startedAt = getProcessingTimeService().getCurrentProcessingTime();
        lastReadAt = startedAt;
        lastProbeAt = startedAt;
        scheduleTick(startedAt);
    }

    @Override
    public void processElement(StreamRecord<RawRecord> element) {
        RawRecord raw = element.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        lastReadAt = now;
        catchUp.read(raw.partition, raw.position);
        try {
            StatsUpdate update =
                    decoder.decode(raw.payload, raw.partition + "-" + raw.position, raw.timestamp);
            updates.inc();
            markActive();
            output.collect(new StreamRecord<>(update, update.effectiveFrom()));
            maxEffectiveFrom = Math.max(maxEffectiveFrom, update.effectiveFrom());
        } catch (BadRecordException e) {
            badUpdates.inc();
            output.collect(
                    Normalization.DEAD_LETTERS,
                    new StreamRecord<>(DecodeFunction.deadLetter(raw, e)));
        }
        checkCaughtUp(now);
    }

    /** The source's own watermarks are replaced by this operator's, except the end of input. */
    @Override
    public void processWatermark(Watermark mark) {
        if (mark.getTimestamp() == Long.MAX_VALUE && !ended) {
            ended = true;
            markActive();
            output.emitWatermark(mark);
        }
    }

    /** The source's idleness is replaced by this operator's. */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) {}

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        nextOffsetsState.clear();
        for (Map.Entry<Integer, Long> offset : catchUp.positions().entrySet()) {
            nextOffsetsState.add(Tuple2.of(offset.getKey(), offset.getValue()));
        }
        maxEffectiveFromState.clear();
        if (maxEffectiveFrom != Long.MIN_VALUE) {
            maxEffectiveFromState.add(maxEffectiveFrom);
        }
    }

    @Override
    public void close() throws Exception {
        if (probe != null) {
            probe.close();
            probe = null;
        }
        super.close();
    }

    private void scheduleTick(long now) {
        getProcessingTimeService().registerTimer(now + TICK_MS, this::tick);
    }

    private void tick(long now) {
        if (ended) {
            return;
        }
        if (!caughtUp
                && now - lastReadAt >= PROBE_AFTER_MS
                && now - lastProbeAt >= PROBE_AFTER_MS) {
            skipUndeliverableOffsets();
            lastProbeAt = getProcessingTimeService().getCurrentProcessingTime();
        }
        checkCaughtUp(now);
        emitWatermark();
        if (caughtUp && !idle && now - lastReadAt >= idleMillis) {
            idle = true;
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }
        scheduleTick(now);
    }

    /**
     * Moves each lagging partition's next offset past the offsets that hold no committed message,
     * up to the first one that does (which the source is still to deliver).
     */
    private void skipUndeliverableOffsets() {
        for (int partition = catchUp.lagging(); partition >= 0; partition = catchUp.lagging()) {
            long next = catchUp.next(partition);
            long found =
                    probe.firstCommittedOffset(
                            partition, next, catchUp.target(partition), PROBE_BUDGET);
            if (found <= next) {
                return;
            }
            catchUp.skipTo(partition, found);
            if (found < catchUp.target(partition)) {
                return;
            }
        }
    }

    private void checkCaughtUp(long now) {
        if (!caughtUp && catchUp.lagging() < 0) {
            caughtUp = true;
            LOG.info(
                    "Stats updates of {} caught up after {} ms: {}",
                    topic,
                    now - startedAt,
                    catchUp);
            emitWatermark();
            if (probe != null) {
                probe.close();
                probe = null;
            }
        }
    }

    /** The largest effective time read so far minus 1 ms, when it has advanced. */
    private void emitWatermark() {
        if (ended || maxEffectiveFrom == Long.MIN_VALUE) {
            return;
        }
        long watermark = maxEffectiveFrom - 1;
        if (watermark > lastEmittedWatermark) {
            markActive();
            lastEmittedWatermark = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }

    private void markActive() {
        if (idle) {
            idle = false;
            output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        }
    }
}
