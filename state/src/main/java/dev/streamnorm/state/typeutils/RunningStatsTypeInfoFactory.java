package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.RunningStats;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link RunningStats} to {@link RunningStatsSerializer} through {@code @TypeInfo}. */
public final class RunningStatsTypeInfoFactory extends TypeInfoFactory<RunningStats> {
    /** The type information of {@link RunningStats}. */
    public static final TypeInformation<RunningStats> TYPE_INFO =
            new StateTypeInfo<>(RunningStats.class, RunningStatsSerializer.INSTANCE);

    @Override
    public TypeInformation<RunningStats> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
