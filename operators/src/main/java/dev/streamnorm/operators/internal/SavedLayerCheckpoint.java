package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.LayerSettings;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.SavedLayerState;
import dev.streamnorm.operators.StatsTable;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * The part of a keyed batch-norm function's checkpoint beside its keyed state: the {@code *} stats
 * entry and the layer settings ({@link SavedLayerState}), written by subtask 0, and on restore
 * merged into the configuration ({@link Normalization#withSaved}).
 */
final class SavedLayerCheckpoint {
    private SavedLayerState saved;

    /** Opens the saved state; returns {@code config} completed by what a restore brought back. */
    Normalization initialize(FunctionInitializationContext context, Normalization config)
            throws Exception {
        saved = new SavedLayerState(context.getOperatorStateStore());
        return context.isRestored()
                ? config.withSaved(saved.settings(), saved.anyKeyStats())
                : config;
    }

    /** Saves the settings and {@code *} entry of {@code config} (subtask 0 only). */
    void snapshot(RuntimeContext runtime, Normalization config) throws Exception {
        boolean writer = runtime.getTaskInfo().getIndexOfThisSubtask() == 0;
        saved.save(
                writer,
                LayerSettings.of(config),
                config.initialStats().lookupExact(StatsTable.ANY_KEY));
    }
}
