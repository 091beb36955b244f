package dev.streamnorm.sql;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.factories.ModuleFactory;
import org.apache.flink.table.module.Module;

/** Creates the {@link StreamnormModule} for {@code LOAD MODULE streamnorm} (a service). */
public final class StreamnormModuleFactory implements ModuleFactory {
    @Override
    public String factoryIdentifier() {
        return StreamnormModule.NAME;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public Module createModule(Context context) {
        return new StreamnormModule();
    }
}
