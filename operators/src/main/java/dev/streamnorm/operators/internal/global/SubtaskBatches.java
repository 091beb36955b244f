package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * The event-time batches one subtask holds, by start: the records of each, its partial moments
 * while the batch is open here, and the partials sent to the coordinator and not answered yet (they
 * are repeated after a restore). A batch is awaiting once its partial is sent (or, with records but
 * no partial of its own after rescaling, once its outcome is asked for); the outcome releases it.
 */
final class SubtaskBatches {
    /** The origin of a partial still being accumulated (in snapshots). */
    private static final int OPEN = -1;

    private final RecordShape shape;
    private final long interval;
    private final TreeMap<Long, Batch> batches = new TreeMap<>();
    // The batch of the last record: consecutive records mostly share it.
    @Nullable private Batch current;
    private long currentStart;
    // Batches are about the same size: a new one gets room for as many records as the last one.
    private int lastSize;

    private static final class Batch {
        final HeldRecords records;
        @Nullable ChannelMoments moments;
        final List<Tuple3<Long, Integer, ChannelMoments>> sent = new ArrayList<>();
        boolean awaiting;

        Batch(int width, int expected) {
            records = new HeldRecords(width, expected);
        }
    }

    SubtaskBatches(RecordShape shape, long interval) {
        this.shape = shape;
        this.interval = interval;
    }

    /**
     * Restores snapshots, of this subtask or (after rescaling) of others: open partials of a batch
     * are merged, records without a partial of their own await their batch's outcome.
     */
    void restore(
            Iterable<Tuple3<Long, Integer, ChannelMoments>> partials,
            Iterable<Tuple2<Long, FeatureRecord>> records) {
        for (Tuple3<Long, Integer, ChannelMoments> partial : partials) {
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
        for (Tuple2<Long, FeatureRecord> record : records) {
            batch(record.f0).records.add(record.f1);
        }
        for (Batch batch : batches.values()) {
            batch.awaiting |= batch.moments == null;
        }
    }

    /** Holds {@code record} in the batch starting at {@code start} and adds it to the moments. */
    void add(long start, FeatureRecord record) {
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

    private Batch batch(long start) {
        return batches.computeIfAbsent(start, s -> new Batch(shape.size(), lastSize));
    }

    /**
     * The partials, with {@code origin}, of the open batches that end at or before {@code
     * watermark}; they are now sent and awaiting.
     */
    List<Tuple3<Long, Integer, ChannelMoments>> close(long watermark, int origin) {
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
        return closed;
    }

    /** Removes the batch starting at {@code start} if it awaits its outcome; its records. */
    @Nullable
    HeldRecords release(long start) {
        Batch batch = batches.get(start);
        if (batch == null || !batch.awaiting) {
            return null;
        }
        return remove(start).records;
    }

    /** Removes the batch starting at {@code start} (it has been handed off); its record count. */
    int drop(long start) {
        return remove(start).records.size();
    }

    private Batch remove(long start) {
        Batch batch = batches.remove(start);
        lastSize = batch.records.size();
        if (start == currentStart) {
            current = null;
        }
        return batch;
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    /** The start of the oldest batch held. */
    long firstStart() {
        return batches.firstKey();
    }

    /** The partials sent and not answered yet. */
    List<Tuple3<Long, Integer, ChannelMoments>> unanswered() {
        List<Tuple3<Long, Integer, ChannelMoments>> unanswered = new ArrayList<>();
        batches.values().forEach(batch -> unanswered.addAll(batch.sent));
        return unanswered;
    }

    /** The batches that await their outcome without a partial sent from here. */
    long[] queries() {
        return batches.entrySet().stream()
                .filter(e -> e.getValue().awaiting && e.getValue().sent.isEmpty())
                .mapToLong(Map.Entry::getKey)
                .toArray();
    }

    /** Every record held, with the start of its batch. */
    List<Tuple2<Long, FeatureRecord>> records() {
        List<Tuple2<Long, FeatureRecord>> records = new ArrayList<>();
        for (Map.Entry<Long, Batch> e : batches.entrySet()) {
            long start = e.getKey();
            e.getValue().records.forEach(record -> records.add(Tuple2.of(start, record)));
        }
        return records;
    }

    /** Every partial, open ones with the origin {@code OPEN}, for a snapshot. */
    List<Tuple3<Long, Integer, ChannelMoments>> partials() {
        List<Tuple3<Long, Integer, ChannelMoments>> partials = new ArrayList<>();
        for (Map.Entry<Long, Batch> e : batches.entrySet()) {
            Batch batch = e.getValue();
            if (batch.moments != null) {
                partials.add(Tuple3.of(e.getKey(), OPEN, batch.moments));
            }
            partials.addAll(batch.sent);
        }
        return partials;
    }

    @Override
    public String toString() {
        return batches.keySet().toString();
    }
}
