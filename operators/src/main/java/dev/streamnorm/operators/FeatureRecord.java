package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import java.util.Arrays;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One feature vector flowing through streamnorm: a key, an optional event time, the values (C·L
 * doubles, row-major) and what is needed to write it back out: the original payload (kept for
 * pass-through fields and dead letters) and its origin; in eval mode following stats updates, also
 * the version of the stats that normalized it.
 *
 * <p>Operators normalize {@link #values()} in place and emit the same record.
 */
@TypeInfo(FeatureRecordTypeInfoFactory.class)
public final class FeatureRecord {
    /** The timestamp of a record that has none. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** The values span of a record whose payload's values text is not known. */
    public static final int NO_SPAN = -1;

    private static final byte[] NO_PAYLOAD = new byte[0];

    private final String key;
    private final long timestamp;
    private final double[] values;
    private final byte[] payload;
    private final Origin origin;
    @Nullable private final String statsVersion;
    private final int valuesStart;
    private final int valuesEnd;

    public FeatureRecord(
            String key, long timestamp, double[] values, byte[] payload, Origin origin) {
        this(key, timestamp, values, payload, origin, null);
    }

    public FeatureRecord(
            String key,
            long timestamp,
            double[] values,
            byte[] payload,
            Origin origin,
            @Nullable String statsVersion) {
        this(key, timestamp, values, payload, origin, statsVersion, NO_SPAN, NO_SPAN);
    }

    /**
     * A record whose payload holds the text of its values at bytes {@code valuesStart} (the array's
     * {@code [}) to {@code valuesEnd} (exclusive, after its {@code ]}), or {@link #NO_SPAN} twice.
     */
    public FeatureRecord(
            String key,
            long timestamp,
            double[] values,
            byte[] payload,
            Origin origin,
            @Nullable String statsVersion,
            int valuesStart,
            int valuesEnd) {
        this.key = checkNotNull(key);
        this.timestamp = timestamp;
        this.values = checkNotNull(values);
        this.payload = checkNotNull(payload);
        this.origin = checkNotNull(origin);
        this.statsVersion = statsVersion;
        boolean none = valuesStart == NO_SPAN && valuesEnd == NO_SPAN;
        checkArgument(
                none
                        || (0 <= valuesStart
                                && valuesStart < valuesEnd
                                && valuesEnd <= payload.length),
                "values span [%s, %s) outside a payload of %s bytes",
                valuesStart,
                valuesEnd,
                payload.length);
        this.valuesStart = valuesStart;
        this.valuesEnd = valuesEnd;
    }

    /** A record without payload or origin (built in code). */
    public static FeatureRecord of(String key, long timestamp, double... values) {
        return new FeatureRecord(key, timestamp, values, NO_PAYLOAD, Origin.none());
    }

    /** The key statistics are kept under; {@code ""} when the input had none. */
    public String key() {
        return key;
    }

    /** Event time in epoch milliseconds, or {@link #NO_TIMESTAMP}. */
    public long timestamp() {
        return timestamp;
    }

    /** The values, C·L doubles; normalized in place by the operators. */
    public double[] values() {
        return values;
    }

    /** The original message bytes; empty for records built in code. */
    public byte[] payload() {
        return payload;
    }

    /** Where the record came from. */
    public Origin origin() {
        return origin;
    }

    /** The version of the stats that normalized this record, or null when not recorded. */
    @Nullable
    public String statsVersion() {
        return statsVersion;
    }

    /**
     * Where the text of the values array ({@code [} to {@code ]}) starts in {@link #payload()}, or
     * {@link #NO_SPAN} when not known; lets the output replace it without parsing the payload.
     */
    public int valuesStart() {
        return valuesStart;
    }

    /** Where the text of the values array ends in {@link #payload()} (exclusive), or NO_SPAN. */
    public int valuesEnd() {
        return valuesEnd;
    }

    /** The same record with event time {@code timestamp}. */
    public FeatureRecord withTimestamp(long timestamp) {
        return new FeatureRecord(
                key, timestamp, values, payload, origin, statsVersion, valuesStart, valuesEnd);
    }

    /** The same record marked as normalized with the stats of {@code version}. */
    public FeatureRecord withStatsVersion(@Nullable String version) {
        return new FeatureRecord(
                key, timestamp, values, payload, origin, version, valuesStart, valuesEnd);
    }

    /** A deep copy. */
    public FeatureRecord copy() {
        return new FeatureRecord(
                key,
                timestamp,
                values.clone(),
                payload,
                origin,
                statsVersion,
                valuesStart,
                valuesEnd);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FeatureRecord)) {
            return false;
        }
        FeatureRecord that = (FeatureRecord) o;
        return timestamp == that.timestamp
                && key.equals(that.key)
                && Arrays.equals(values, that.values)
                && Arrays.equals(payload, that.payload)
                && origin.equals(that.origin)
                && Objects.equals(statsVersion, that.statsVersion)
                && valuesStart == that.valuesStart
                && valuesEnd == that.valuesEnd;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, timestamp, Arrays.hashCode(values), origin);
    }

    @Override
    public String toString() {
        return "FeatureRecord{key="
                + key
                + (timestamp == NO_TIMESTAMP ? "" : ", ts=" + timestamp)
                + ", values="
                + Arrays.toString(values)
                + ", origin="
                + origin
                + (statsVersion == null ? "" : ", statsVersion=" + statsVersion)
                + '}';
    }
}
