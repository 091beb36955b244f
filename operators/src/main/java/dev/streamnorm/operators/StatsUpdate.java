package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.streamnorm.operators.typeutils.StatsUpdateTypeInfoFactory;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A new stats table for eval mode, effective from an event time on ({@link
 * Normalization#applyFollowing}). It replaces the whole served table: keys it lacks fall back to
 * its {@link StatsTable#ANY_KEY} entry, not to an older table's. Immutable.
 */
@PublicEvolving
@TypeInfo(StatsUpdateTypeInfoFactory.class)
public final class StatsUpdate {
    private final String version;
    private final long effectiveFrom;
    private final StatsTable stats;

    /**
     * @param version names the stats in the output ({@code stats_version}); not empty
     * @param effectiveFrom epoch ms from which records (by event time) use these stats
     * @param stats the table served from then on; not empty
     */
    public StatsUpdate(String version, long effectiveFrom, StatsTable stats) {
        checkArgument(!checkNotNull(version).isEmpty(), "a stats version must not be empty");
        checkArgument(!checkNotNull(stats).isEmpty(), "a stats update needs at least one key");
        this.version = version;
        this.effectiveFrom = effectiveFrom;
        this.stats = stats;
    }

    public String version() {
        return version;
    }

    /** Epoch milliseconds from which these stats serve. */
    public long effectiveFrom() {
        return effectiveFrom;
    }

    public StatsTable stats() {
        return stats;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StatsUpdate)) {
            return false;
        }
        StatsUpdate that = (StatsUpdate) o;
        return effectiveFrom == that.effectiveFrom
                && version.equals(that.version)
                && stats.equals(that.stats);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, effectiveFrom);
    }

    @Override
    public String toString() {
        return "StatsUpdate{version="
                + version
                + ", effectiveFrom="
                + effectiveFrom
                + ", keys="
                + stats.keys()
                + '}';
    }
}
