package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.state.ChannelNormalizer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The records of one batch that a subtask holds until the batch's statistics come back, stored by
 * column: the values of all records in one array, their timestamps in another, and the rest of each
 * record (key, payload, origin, stats version) by reference. Records wait here for tens of
 * milliseconds or more; one flat array instead of an object and an array per record is less for the
 * garbage collector to copy, and is read in order when the batch is normalized.
 */
final class HeldRecords {
    private final int width;
    private int size;
    private double[] values;
    private long[] timestamps;
    private Object[] others;

    /** Room for {@code expected} records of {@code width} values before it grows. */
    HeldRecords(int width, int expected) {
        int capacity = Math.max(expected, 8);
        this.width = width;
        this.values = new double[capacity * width];
        this.timestamps = new long[capacity];
        this.others = new Object[capacity * 4];
    }

    int size() {
        return size;
    }

    void add(FeatureRecord record) {
        if (size == timestamps.length) {
            int capacity = size * 2;
            values = Arrays.copyOf(values, capacity * width);
            timestamps = Arrays.copyOf(timestamps, capacity);
            others = Arrays.copyOf(others, capacity * 4);
        }
        System.arraycopy(record.values(), 0, values, size * width, width);
        timestamps[size] = record.timestamp();
        int o = size * 4;
        others[o] = record.key();
        others[o + 1] = record.payload();
        others[o + 2] = record.origin();
        others[o + 3] = record.statsVersion();
        size++;
    }

    /** Record {@code i} as it came in. */
    FeatureRecord record(int i) {
        return record(i, Arrays.copyOfRange(values, i * width, (i + 1) * width));
    }

    /**
     * Each record, normalized by {@code normalizer}, in the order they came; with {@code
     * oneValuesArray}, every record handed to {@code out} shares one values array, overwritten by
     * the next (for a consumer that copies or serializes each record at once).
     */
    void normalizeEach(
            ChannelNormalizer normalizer, boolean oneValuesArray, Consumer<FeatureRecord> out) {
        double[] shared = oneValuesArray ? new double[width] : null;
        for (int i = 0; i < size; i++) {
            double[] normalized = oneValuesArray ? shared : new double[width];
            normalizer.apply(values, i * width, normalized);
            out.accept(record(i, normalized));
        }
    }

    /** Each record as it came in. */
    void forEach(Consumer<FeatureRecord> out) {
        for (int i = 0; i < size; i++) {
            out.accept(record(i));
        }
    }

    private FeatureRecord record(int i, double[] recordValues) {
        int o = i * 4;
        return new FeatureRecord(
                (String) others[o],
                timestamps[i],
                recordValues,
                (byte[]) others[o + 1],
                (Origin) others[o + 2],
                (String) others[o + 3]);
    }
}
