package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.DriftStats;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link DriftStats} to {@link DriftStatsSerializer} through {@code @TypeInfo}. */
public final class DriftStatsTypeInfoFactory extends TypeInfoFactory<DriftStats> {
    /** The type information of {@link DriftStats}. */
    public static final TypeInformation<DriftStats> TYPE_INFO =
            new StateTypeInfo<>(DriftStats.class, DriftStatsSerializer.INSTANCE);

    @Override
    public TypeInformation<DriftStats> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
