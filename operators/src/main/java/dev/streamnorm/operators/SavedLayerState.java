package dev.streamnorm.operators;

import dev.streamnorm.state.RunningStats;
import java.util.Iterator;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.OperatorStateStore;

/**
 * The operator state that rides along with the keyed running stats in savepoints: the {@code *}
 * stats entry and the layer settings ({@link NormalizationState}). Both are union lists that one
 * subtask writes, so every subtask gets them back on restore, at any parallelism. The operator and
 * {@code streamnorm stats import} write them the same way.
 */
@Internal
public final class SavedLayerState {
    private final ListState<RunningStats> anyKey;
    private final ListState<LayerSettings> settings;

    public SavedLayerState(OperatorStateStore store) throws Exception {
        anyKey = store.getUnionListState(NormalizationState.anyKeyStats());
        settings = store.getUnionListState(NormalizationState.layerSettings());
    }

    /** The restored {@code *} entry, or null. */
    @Nullable
    public RunningStats anyKeyStats() throws Exception {
        return first(anyKey.get());
    }

    /** The restored settings, or null. */
    @Nullable
    public LayerSettings settings() throws Exception {
        return first(settings.get());
    }

    /** Replaces the saved values; only the writing subtask keeps them, the others save nothing. */
    public void save(boolean writer, LayerSettings layer, @Nullable RunningStats anyKeyStats)
            throws Exception {
        anyKey.clear();
        settings.clear();
        if (writer) {
            settings.add(layer);
            if (anyKeyStats != null) {
                anyKey.add(anyKeyStats);
            }
        }
    }

    @Nullable
    private static <T> T first(@Nullable Iterable<T> values) {
        if (values == null) {
            return null;
        }
        Iterator<T> it = values.iterator();
        return it.hasNext() ? it.next() : null;
    }
}
