package dev.streamnorm.operators.internal;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.typeutils.OpenBatchTypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What a key's open count batch needs per record, beside its records: how many it holds, how many
 * values each has, and the deadline of its timeout timer.
 *
 * <p>The records themselves wait in a list state that a record only appends to ({@link
 * CountBatchTrainFunction#pendingRecords}); the batch reads them once, when it closes. So a record
 * costs this small value's read and write plus the append, whatever the batch size: with RocksDB,
 * no record rewrites the batch's earlier records.
 */
@TypeInfo(OpenBatchTypeInfoFactory.class)
public final class OpenBatch {
    /** The deadline of a batch without a timeout timer. */
    public static final long NO_DEADLINE = Long.MIN_VALUE;

    private final int recordLength;
    private final long deadline;
    private int size;

    /**
     * A batch of {@code size} records of {@code recordLength} values each, whose timeout timer
     * fires at {@code deadline} ({@link #NO_DEADLINE} if none).
     *
     * @throws IllegalArgumentException if {@code recordLength} is not positive or {@code size} is
     *     negative
     */
    public OpenBatch(int recordLength, int size, long deadline) {
        checkArgument(recordLength > 0, "record length must be positive, got %s", recordLength);
        checkArgument(size >= 0, "size must not be negative, got %s", size);
        this.recordLength = recordLength;
        this.size = size;
        this.deadline = deadline;
    }

    /** Counts one more record. */
    void add() {
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

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OpenBatch)) {
            return false;
        }
        OpenBatch that = (OpenBatch) o;
        return recordLength == that.recordLength && size == that.size && deadline == that.deadline;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * recordLength + size) + Long.hashCode(deadline);
    }

    @Override
    public String toString() {
        return "OpenBatch{records="
                + size
                + ", values per record="
                + recordLength
                + (deadline == NO_DEADLINE ? "" : ", deadline=" + deadline)
                + '}';
    }
}
