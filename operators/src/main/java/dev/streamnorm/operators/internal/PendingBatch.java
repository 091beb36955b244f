package dev.streamnorm.operators.internal;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.typeutils.PendingBatchTypeInfoFactory;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The open count batch of one key, in one state value: the records that wait for the batch to close
 * (timestamp, values, payload and origin; the key is the state's key) and the deadline of the
 * batch's timeout timer.
 *
 * <p>One value instead of a list of records beside separate moments and deadline: a record costs
 * one state read and one write and touches no per-channel statistics. The batch's moments are
 * computed when it closes ({@link #moments}), in two passes over its records ({@link
 * ChannelMoments#acceptBatch}).
 */
@TypeInfo(PendingBatchTypeInfoFactory.class)
public final class PendingBatch {
    /** The deadline of a batch without a timeout timer. */
    public static final long NO_DEADLINE = Long.MIN_VALUE;

    /** Batches up to this size never grow their arrays; larger ones start here and double. */
    private static final int FIRST_CAPACITY = 256;

    private final int recordLength;
    private long deadline = NO_DEADLINE;
    private int size;
    private long[] timestamps;
    private double[][] values;
    private byte[][] payloads;
    private Origin[] origins;

    /** An empty batch of records of {@code recordLength} values, expecting {@code batchSize}. */
    PendingBatch(int recordLength, int batchSize) {
        this.recordLength = recordLength;
        int capacity = Math.min(Math.max(batchSize, 1), FIRST_CAPACITY);
        this.timestamps = new long[capacity];
        this.values = new double[capacity][];
        this.payloads = new byte[capacity][];
        this.origins = new Origin[capacity];
    }

    /**
     * A batch of the given records (used by the serializer); the arrays are taken as they are, not
     * copied.
     *
     * @throws IllegalArgumentException if the arrays differ in length or a record does not have
     *     {@code recordLength} values
     */
    public static PendingBatch of(
            int recordLength,
            long deadline,
            long[] timestamps,
            double[][] values,
            byte[][] payloads,
            Origin[] origins) {
        int size = values.length;
        checkArgument(recordLength > 0, "record length must be positive, got %s", recordLength);
        checkArgument(
                timestamps.length == size && payloads.length == size && origins.length == size,
                "timestamps, values, payloads and origins must have one entry per record");
        for (int i = 0; i < size; i++) {
            checkArgument(
                    values[i].length == recordLength,
                    "record %s has %s values, expected %s",
                    i,
                    values[i].length,
                    recordLength);
        }
        PendingBatch batch = new PendingBatch(recordLength, size);
        batch.timestamps = timestamps;
        batch.values = values;
        batch.payloads = payloads;
        batch.origins = origins;
        batch.size = size;
        batch.deadline = deadline;
        return batch;
    }

    /**
     * Adds {@code record}, which must have {@link #recordLength} values. The batch keeps its values
     * array (not a copy): it becomes the values of the record emitted when the batch closes.
     */
    void add(FeatureRecord record) {
        double[] in = record.values();
        // Tested before any message is built: this runs for every record.
        if (in.length != recordLength) {
            throw new IllegalArgumentException(
                    "record has " + in.length + " values, the batch " + recordLength);
        }
        if (size == values.length) {
            int capacity = Math.max(2 * size, 1);
            timestamps = Arrays.copyOf(timestamps, capacity);
            values = Arrays.copyOf(values, capacity);
            payloads = Arrays.copyOf(payloads, capacity);
            origins = Arrays.copyOf(origins, capacity);
        }
        timestamps[size] = record.timestamp();
        values[size] = in;
        payloads[size] = record.payload();
        origins[size] = record.origin();
        size++;
    }

    /** The number of records. */
    public int size() {
        return size;
    }

    /** The number of values of every record (C·L). */
    public int recordLength() {
        return recordLength;
    }

    /** The time of the batch's timeout timer, or {@link #NO_DEADLINE}. */
    public long deadline() {
        return deadline;
    }

    void setDeadline(long deadline) {
        this.deadline = deadline;
    }

    public long timestamp(int i) {
        return timestamps[checkIndex(i)];
    }

    /** The values of record {@code i} (not a copy). */
    public double[] values(int i) {
        return values[checkIndex(i)];
    }

    public byte[] payload(int i) {
        return payloads[checkIndex(i)];
    }

    public Origin origin(int i) {
        return origins[checkIndex(i)];
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("record " + i + " of " + size);
        }
        return i;
    }

    /**
     * The moments per channel of the records' values, records shaped {@code shape}.
     *
     * <p>The records' values lie wherever they were deserialized, long enough ago to be out of the
     * CPU caches. They are first copied into {@code scratch}, one reused block: the copies' loads
     * overlap, and so do their cache misses, where the moments would wait for one record after the
     * other. The moments are then computed on cached data, and the values stay cached for their
     * normalization.
     */
    ChannelMoments moments(RecordShape shape, Scratch scratch) {
        double[][] rows = scratch.rows(size, recordLength);
        for (int i = 0; i < size; i++) {
            System.arraycopy(values[i], 0, rows[i], 0, recordLength);
        }
        ChannelMoments moments = new ChannelMoments(shape.channels());
        moments.acceptBatch(rows, size, shape);
        return moments;
    }

    /**
     * Rows to copy a batch's values into, reused from batch to batch (one per function instance).
     */
    static final class Scratch {
        private double[][] rows = new double[0][];

        double[][] rows(int count, int length) {
            if (rows.length < count || (count > 0 && rows[0].length != length)) {
                rows = new double[Math.max(count, rows.length)][length];
            }
            return rows;
        }
    }

    /**
     * The records of {@code key} in arrival order; they share this batch's values arrays, so the
     * batch must not be used after normalizing them in place.
     */
    Iterable<FeatureRecord> records(String key) {
        return () ->
                new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public FeatureRecord next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new FeatureRecord(
                                key, timestamps[i], values[i], payloads[i], origins[i]);
                    }
                };
    }

    /** A deep copy. */
    public PendingBatch copy() {
        double[][] rows = new double[size][];
        for (int i = 0; i < size; i++) {
            rows[i] = values[i].clone();
        }
        return of(
                recordLength,
                deadline,
                Arrays.copyOf(timestamps, size),
                rows,
                Arrays.copyOf(payloads, size),
                Arrays.copyOf(origins, size));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PendingBatch)) {
            return false;
        }
        PendingBatch that = (PendingBatch) o;
        if (recordLength != that.recordLength || size != that.size || deadline != that.deadline) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (timestamps[i] != that.timestamps[i]
                    || !Arrays.equals(values[i], that.values[i])
                    || !Arrays.equals(payloads[i], that.payloads[i])
                    || !origins[i].equals(that.origins[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * recordLength + size) + Long.hashCode(deadline);
    }

    @Override
    public String toString() {
        return "PendingBatch{records=" + size + ", values per record=" + recordLength + '}';
    }
}
