package dev.streamnorm.operators;

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

    private static final byte[] NO_PAYLOAD = new byte[0];

    private final String key;
    private final long timestamp;
    private final double[] values;
    private final byte[] payload;
    private final Origin origin;
    @Nullable private final String statsVersion;

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
        this.key = checkNotNull(key);
        this.timestamp = timestamp;
        this.values = checkNotNull(values);
        this.payload = checkNotNull(payload);
        this.origin = checkNotNull(origin);
        this.statsVersion = statsVersion;
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

    /** The same record with event time {@code timestamp}. */
    public FeatureRecord withTimestamp(long timestamp) {
        return new FeatureRecord(key, timestamp, values, payload, origin, statsVersion);
    }

    /** The same record marked as normalized with the stats of {@code version}. */
    public FeatureRecord withStatsVersion(@Nullable String version) {
        return new FeatureRecord(key, timestamp, values, payload, origin, version);
    }

    /** A deep copy. */
    public FeatureRecord copy() {
        return new FeatureRecord(key, timestamp, values.clone(), payload, origin, statsVersion);
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
                && Objects.equals(statsVersion, that.statsVersion);
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
