package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.ExponentialMoments;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Wires {@link ExponentialMoments} to {@link ExponentialMomentsSerializer} through
 * {@code @TypeInfo}.
 */
public final class ExponentialMomentsTypeInfoFactory extends TypeInfoFactory<ExponentialMoments> {
    /** The type information of {@link ExponentialMoments}. */
    public static final TypeInformation<ExponentialMoments> TYPE_INFO =
            new StateTypeInfo<>(ExponentialMoments.class, ExponentialMomentsSerializer.INSTANCE);

    @Override
    public TypeInformation<ExponentialMoments> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
