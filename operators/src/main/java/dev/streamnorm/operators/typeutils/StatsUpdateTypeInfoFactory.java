package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.StatsUpdate;
import dev.streamnorm.state.typeutils.StateTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link StatsUpdate} to {@link StatsUpdateSerializer} through {@code @TypeInfo}. */
public final class StatsUpdateTypeInfoFactory extends TypeInfoFactory<StatsUpdate> {
    /** The type information of {@link StatsUpdate}. */
    public static final TypeInformation<StatsUpdate> TYPE_INFO =
            new StateTypeInfo<>(StatsUpdate.class, StatsUpdateSerializer.INSTANCE);

    @Override
    public TypeInformation<StatsUpdate> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
