package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.streamnorm.operators.typeutils.DriftReportTypeInfoFactory;
import dev.streamnorm.state.DriftStats;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * One drift record of a key (DESIGN §8): its shadow statistics at the end of an event-time interval
 * or of bounded input, the version of the stats that served it, and whether it alerts. Per feature
 * {@code shift}, {@code var_ratio} and {@code psi} come from {@link #stats()}.
 */
@PublicEvolving
@TypeInfo(DriftReportTypeInfoFactory.class)
public final class DriftReport {
    /** The side output of the eval functions that carries drift records. */
    public static final OutputTag<DriftReport> SIDE_OUTPUT =
            new OutputTag<>("drift", DriftReportTypeInfoFactory.TYPE_INFO);

    private final String key;
    private final long timestamp;
    private final String statsVersion;
    private final boolean alert;
    private final DriftStats stats;

    public DriftReport(
            String key, long timestamp, String statsVersion, boolean alert, DriftStats stats) {
        this.key = checkNotNull(key);
        this.timestamp = timestamp;
        this.statsVersion = checkNotNull(statsVersion);
        this.alert = alert;
        this.stats = checkNotNull(stats);
    }

    public String key() {
        return key;
    }

    /**
     * The end of the interval this record closes (epoch ms, exclusive); for the record at the end
     * of bounded input, the key's latest event time; {@link FeatureRecord#NO_TIMESTAMP} if none.
     */
    public long timestamp() {
        return timestamp;
    }

    /** The version of the stats that served the key's latest record. */
    public String statsVersion() {
        return statsVersion;
    }

    /** Whether the worst |shift| or the largest psi reached its threshold. */
    public boolean alert() {
        return alert;
    }

    /** The shadow statistics (a copy owned by this record). */
    public DriftStats stats() {
        return stats;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DriftReport)) {
            return false;
        }
        DriftReport that = (DriftReport) o;
        return timestamp == that.timestamp
                && alert == that.alert
                && key.equals(that.key)
                && statsVersion.equals(that.statsVersion)
                && stats.equals(that.stats);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, timestamp, statsVersion, alert);
    }

    @Override
    public String toString() {
        return "DriftReport{key="
                + key
                + ", ts="
                + timestamp
                + ", statsVersion="
                + statsVersion
                + ", alert="
                + alert
                + ", "
                + stats
                + '}';
    }
}
