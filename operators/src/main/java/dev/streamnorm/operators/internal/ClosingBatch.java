package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * The records of a count batch that closes, gathered from state in arrival order, and their
 * moments. One instance per function, reused from batch to batch.
 *
 * <p>The records' values lie wherever they were deserialized or received, long enough ago to be out
 * of the CPU caches. {@link #moments} first copies them into one reused block: the copies' loads
 * overlap, and so do their cache misses, where the moments would wait for one record after the
 * other. The moments are then computed on cached data ({@link ChannelMoments#acceptBatch}, two
 * passes), and the values stay cached for their normalization.
 */
final class ClosingBatch {
    private FeatureRecord[] records = new FeatureRecord[0];
    private double[][] rows = new double[0][];
    private int size;

    /** Forgets the previous batch. */
    ClosingBatch clear() {
        Arrays.fill(records, 0, size, null);
        size = 0;
        return this;
    }

    /** Appends {@code record}. */
    void add(FeatureRecord record) {
        if (size == records.length) {
            records = Arrays.copyOf(records, Math.max(2 * size, 32));
        }
        records[size++] = record;
    }

    /** Appends {@code stored} in order; null (no records) adds none. */
    void addAll(Iterable<FeatureRecord> stored) {
        if (stored != null) {
            for (FeatureRecord record : stored) {
                add(record);
            }
        }
    }

    /** The number of records. */
    int size() {
        return size;
    }

    /**
     * The moments per channel of the records' values, each {@code shape.size()} long.
     *
     * @throws IllegalArgumentException if a record has another number of values
     */
    ChannelMoments moments(RecordShape shape) {
        int length = shape.size();
        if (rows.length < size || (size > 0 && rows[0].length != length)) {
            rows = new double[Math.max(size, rows.length)][length];
        }
        for (int i = 0; i < size; i++) {
            double[] values = records[i].values();
            if (values.length != length) {
                throw new IllegalArgumentException(
                        "record has " + values.length + " values, the batch " + length);
            }
            System.arraycopy(values, 0, rows[i], 0, length);
        }
        ChannelMoments moments = new ChannelMoments(shape.channels());
        moments.acceptBatch(rows, size, shape);
        return moments;
    }

    /** The records in arrival order (a view, valid until {@link #clear}). */
    List<FeatureRecord> records() {
        return new AbstractList<>() {
            @Override
            public FeatureRecord get(int index) {
                return records[index];
            }

            @Override
            public int size() {
                return size;
            }
        };
    }
}
