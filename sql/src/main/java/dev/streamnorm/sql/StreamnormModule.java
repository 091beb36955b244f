package dev.streamnorm.sql;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.module.Module;

/**
 * The {@code streamnorm} module: {@code LOAD MODULE streamnorm} makes {@code BATCH_NORM}, {@code
 * LAYER_NORM}, {@code GROUP_NORM}, {@code INSTANCE_NORM} and {@code L2_NORM} available as system
 * functions.
 */
public final class StreamnormModule implements Module {
    /** The module's name in {@code LOAD MODULE}. */
    public static final String NAME = "streamnorm";

    private static final Map<String, Supplier<FunctionDefinition>> FUNCTIONS =
            Map.of(
                    "batch_norm", BatchNormFunction::new,
                    "layer_norm", LayerNormFunction::new,
                    "group_norm", GroupNormFunction::new,
                    "instance_norm", InstanceNormFunction::new,
                    "l2_norm", L2NormFunction::new);

    @Override
    public Set<String> listFunctions() {
        return FUNCTIONS.keySet();
    }

    @Override
    public Optional<FunctionDefinition> getFunctionDefinition(String name) {
        Supplier<FunctionDefinition> function = FUNCTIONS.get(name.toLowerCase(Locale.ROOT));
        return function == null ? Optional.empty() : Optional.of(function.get());
    }
}
