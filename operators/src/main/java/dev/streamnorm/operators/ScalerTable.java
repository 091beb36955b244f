package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.state.scaler.FittedScaler;
import dev.streamnorm.state.scaler.RobustScalerStats;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * A scaler's fitted attributes per key, for example from a stats file or a dumped scikit-learn
 * scaler: the frozen transform of eval mode, or (when the entry carries what the statistics resume
 * from) the starting point of training. An entry under {@link StatsTable#ANY_KEY} serves every key
 * that has none of its own.
 */
public final class ScalerTable implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ScalerKind kind;
    private final Map<String, Entry> entries;

    private ScalerTable(ScalerKind kind, Map<String, Entry> entries) {
        this.kind = kind;
        this.entries = entries;
    }

    /** A table of {@code kind} without entries. */
    public static ScalerTable empty(ScalerKind kind) {
        return new ScalerTable(kind, Map.of());
    }

    /** One key's entry: the record count, the fitted attributes and (robust) the sketches. */
    public static final class Entry implements Serializable {
        private static final long serialVersionUID = 1L;

        public final long count;
        public final Map<String, double[]> attributes;
        @Nullable public final byte[][] sketches;

        public Entry(long count, Map<String, double[]> attributes, @Nullable byte[][] sketches) {
            this.count = count;
            this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
            this.sketches = sketches;
        }

        /** The entry of {@code stats} fitted with {@code params}. */
        public static Entry of(ScalerStats stats, ScalerParams params) {
            // Fitted first: answering a query may reorder a sketch's newest values in place.
            Map<String, double[]> attributes = stats.attributes(params);
            byte[][] sketches = null;
            if (stats instanceof RobustScalerStats) {
                RobustScalerStats robust = (RobustScalerStats) stats;
                sketches = new byte[robust.features()][];
                for (int i = 0; i < sketches.length; i++) {
                    sketches[i] = robust.sketchBytes(i);
                }
            }
            return new Entry(stats.count(), attributes, sketches);
        }

        /** The number of features, from any attribute. */
        int features() {
            return attributes.values().iterator().next().length;
        }
    }

    /**
     * A table of {@code kind} with these entries.
     *
     * @throws IllegalArgumentException if an entry has no attributes or the feature counts differ
     */
    public static ScalerTable of(ScalerKind kind, Map<String, Entry> entries) {
        int features = -1;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            checkArgument(
                    !e.getValue().attributes.isEmpty(), "key '%s' has no attributes", e.getKey());
            int f = e.getValue().features();
            checkArgument(
                    features < 0 || f == features,
                    "key '%s' has %s features, others have %s",
                    e.getKey(),
                    f,
                    features);
            features = f;
        }
        return new ScalerTable(kind, Collections.unmodifiableMap(new LinkedHashMap<>(entries)));
    }

    public ScalerKind kind() {
        return kind;
    }

    /** The entry of {@code key}, else the {@code *} entry, else null. */
    @Nullable
    public Entry lookup(String key) {
        Entry own = entries.get(key);
        return own != null ? own : entries.get(StatsTable.ANY_KEY);
    }

    /** The entry of exactly {@code key}, or null. */
    @Nullable
    public Entry lookupExact(String key) {
        return entries.get(key);
    }

    /**
     * The transform of {@code entry} with {@code params} from its fitted attributes.
     *
     * @throws IllegalArgumentException if an attribute the transform needs is missing
     */
    public FittedScaler fitted(Entry entry, ScalerParams params) {
        return FittedScaler.of(kind, params, entry.attributes);
    }

    /**
     * Statistics that resume training from {@code entry}.
     *
     * @throws IllegalArgumentException if the entry has no statistics to resume from
     */
    public ScalerStats resume(Entry entry) {
        return ScalerStats.restore(kind, entry.count, entry.attributes, entry.sketches);
    }

    /** The keys with entries, {@code *} included. */
    public Set<String> keys() {
        return entries.keySet();
    }

    /** The number of features of the entries, or -1 when empty. */
    public int features() {
        return entries.isEmpty() ? -1 : entries.values().iterator().next().features();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
