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
 * (timestamp, values, payload and origin; the key is the state's key), their moments, and the
 * deadline of the batch's timeout timer.
 *
 * <p>One value instead of a list of records beside separate moments and deadline: a record costs
 * one state read and one write. Value rows are allocated in blocks, so that closing the batch reads
 * them from adjacent memory; the rows become the emitted records' values.
 */
@TypeInfo(PendingBatchTypeInfoFactory.class)
public final class PendingBatch {
    /** The deadline of a batch without a timeout timer. */
    public static final long NO_DEADLINE = Long.MIN_VALUE;

    private static final int FIRST_BLOCK = 8;

    private final int recordLength;
    private final ChannelMoments moments;
    private long deadline = NO_DEADLINE;
    private int size;
    private long[] timestamps;
    private double[][] values;
    private byte[][] payloads;
    private Origin[] origins;

    /** An empty batch of records of {@code shape}, with room for {@code expectedRecords}. */
    PendingBatch(RecordShape shape, int expectedRecords) {
        this(
                shape.size(),
                new ChannelMoments(shape.channels()),
                Math.min(Math.max(expectedRecords, 1), FIRST_BLOCK));
        allocateRows();
    }

    private PendingBatch(int recordLength, ChannelMoments moments, int capacity) {
        this.recordLength = recordLength;
        this.moments = moments;
        this.timestamps = new long[capacity];
        this.values = new double[capacity][];
        this.payloads = new byte[capacity][];
        this.origins = new Origin[capacity];
    }

    /**
     * A batch holding the given records and moments (used by the serializer): {@code values[i]} is
     * taken as it is, not copied.
     *
     * @throws IllegalArgumentException if the arrays differ in length, a record does not have
     *     {@code recordLength} values, or the moments do not count {@code values.length} records of
     *     that length
     */
    public static PendingBatch of(
            int recordLength,
            ChannelMoments moments,
            long deadline,
            long[] timestamps,
            double[][] values,
            byte[][] payloads,
            Origin[] origins) {
        int size = values.length;
        checkArgument(
                timestamps.length == size && payloads.length == size && origins.length == size,
                "timestamps, values, payloads and origins must have one entry per record");
        checkArgument(
                recordLength > 0 && recordLength % moments.channels() == 0,
                "records of %s values cannot have %s channels",
                recordLength,
                moments.channels());
        long perChannel = (long) size * (recordLength / moments.channels());
        for (int c = 0; c < moments.channels(); c++) {
            checkArgument(
                    moments.count(c) == perChannel,
                    "moments count %s values in channel %s, the records hold %s",
                    moments.count(c),
                    c,
                    perChannel);
        }
        PendingBatch batch = new PendingBatch(recordLength, moments, Math.max(size, 1));
        for (int i = 0; i < size; i++) {
            checkArgument(
                    values[i].length == recordLength,
                    "record %s has %s values, expected %s",
                    i,
                    values[i].length,
                    recordLength);
        }
        System.arraycopy(timestamps, 0, batch.timestamps, 0, size);
        System.arraycopy(values, 0, batch.values, 0, size);
        System.arraycopy(payloads, 0, batch.payloads, 0, size);
        System.arraycopy(origins, 0, batch.origins, 0, size);
        batch.size = size;
        batch.deadline = deadline;
        batch.allocateRows();
        return batch;
    }

    /**
     * Adds {@code record} (of {@code shape}, which must be this batch's): copies its values and
     * folds them into the moments.
     */
    void add(FeatureRecord record, RecordShape shape) {
        double[] in = record.values();
        // Tested before any message is built: this runs for every record.
        if (in.length != recordLength) {
            throw new IllegalArgumentException(
                    "record has " + in.length + " values, the batch " + recordLength);
        }
        if (size == values.length) {
            grow();
        }
        double[] row = values[size];
        System.arraycopy(in, 0, row, 0, recordLength);
        moments.acceptRecord(row, shape);
        timestamps[size] = record.timestamp();
        payloads[size] = record.payload();
        origins[size] = record.origin();
        size++;
    }

    /** Doubles the capacity; the new rows are allocated together, next to each other. */
    private void grow() {
        int capacity = values.length * 2;
        timestamps = Arrays.copyOf(timestamps, capacity);
        values = Arrays.copyOf(values, capacity);
        payloads = Arrays.copyOf(payloads, capacity);
        origins = Arrays.copyOf(origins, capacity);
        allocateRows();
    }

    private void allocateRows() {
        for (int i = size; i < values.length; i++) {
            values[i] = new double[recordLength];
        }
    }

    /** The number of records. */
    public int size() {
        return size;
    }

    /** The number of values of every record (C·L). */
    public int recordLength() {
        return recordLength;
    }

    /** The moments of the records' values per channel. */
    public ChannelMoments moments() {
        return moments;
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
     * The records of {@code key} in arrival order; they share this batch's value rows, so the batch
     * must not be used after normalizing them in place.
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
                moments.copy(),
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
        if (recordLength != that.recordLength
                || size != that.size
                || deadline != that.deadline
                || !moments.equals(that.moments)) {
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
