package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.scaler.ScalerStats;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link ScalerStats} to {@link ScalerStatsSerializer} through {@code @TypeInfo}. */
public final class ScalerStatsTypeInfoFactory extends TypeInfoFactory<ScalerStats> {
    /** The type information of {@link ScalerStats}. */
    public static final TypeInformation<ScalerStats> TYPE_INFO =
            new StateTypeInfo<>(ScalerStats.class, ScalerStatsSerializer.INSTANCE);

    @Override
    public TypeInformation<ScalerStats> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
