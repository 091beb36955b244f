package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.state.RunningStats;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Running statistics per key, for example from a stats file: the frozen stats of eval mode, or the
 * starting point of training. An entry under {@link #ANY_KEY} serves every key that has none of its
 * own.
 */
public final class StatsTable implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The key whose stats serve every key without its own. */
    public static final String ANY_KEY = "*";

    private final Map<String, Entry> entries;

    private StatsTable(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /** A table without entries. */
    public static StatsTable empty() {
        return new StatsTable(Map.of());
    }

    /** A table holding copies of {@code stats}. */
    public static StatsTable of(Map<String, RunningStats> stats) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        int channels = -1;
        for (Map.Entry<String, RunningStats> e : stats.entrySet()) {
            RunningStats s = e.getValue();
            checkArgument(
                    channels < 0 || s.channels() == channels,
                    "stats of key '%s' have %s channels, others have %s",
                    e.getKey(),
                    s.channels(),
                    channels);
            channels = s.channels();
            entries.put(
                    e.getKey(), new Entry(s.meanArray(), s.varianceArray(), s.numBatchesTracked()));
        }
        return new StatsTable(Collections.unmodifiableMap(entries));
    }

    /**
     * This table with {@code stats} as its {@link #ANY_KEY} entry, unless it has one already.
     *
     * @throws IllegalArgumentException if the channels differ from the other entries'
     */
    public StatsTable withFallback(RunningStats stats) {
        if (entries.containsKey(ANY_KEY)) {
            return this;
        }
        Map<String, RunningStats> all = new LinkedHashMap<>();
        for (String key : entries.keySet()) {
            all.put(key, lookup(key).orElseThrow());
        }
        all.put(ANY_KEY, stats);
        return of(all);
    }

    /** The stats for {@code key}, else those under {@link #ANY_KEY}, as a new mutable copy. */
    public Optional<RunningStats> lookup(String key) {
        RunningStats own = lookupExact(key);
        return Optional.ofNullable(own != null ? own : lookupExact(ANY_KEY));
    }

    /** The stats of exactly {@code key} (no fallback) as a new mutable copy, or null. */
    @Nullable
    public RunningStats lookupExact(String key) {
        Entry entry = entries.get(key);
        return entry == null
                ? null
                : RunningStats.of(entry.mean.clone(), entry.variance.clone(), entry.batches);
    }

    /** The keys with entries, {@link #ANY_KEY} included. */
    public Set<String> keys() {
        return entries.keySet();
    }

    /** Number of channels of the entries, or -1 when empty. */
    public int channels() {
        return entries.isEmpty() ? -1 : entries.values().iterator().next().mean.length;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StatsTable)) {
            return false;
        }
        Map<String, Entry> other = ((StatsTable) o).entries;
        return entries.keySet().equals(other.keySet())
                && entries.entrySet().stream()
                        .allMatch(e -> e.getValue().sameAs(other.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        return entries.keySet().hashCode();
    }

    private static final class Entry implements Serializable {
        private static final long serialVersionUID = 1L;
        final double[] mean;
        final double[] variance;
        final long batches;

        Entry(double[] mean, double[] variance, long batches) {
            this.mean = mean;
            this.variance = variance;
            this.batches = batches;
        }

        boolean sameAs(Entry other) {
            return batches == other.batches
                    && Arrays.equals(mean, other.mean)
                    && Arrays.equals(variance, other.variance);
        }
    }
}
