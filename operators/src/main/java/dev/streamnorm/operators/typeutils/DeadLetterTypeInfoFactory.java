package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.state.typeutils.StateTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link DeadLetter} to {@link DeadLetterSerializer} through {@code @TypeInfo}. */
public final class DeadLetterTypeInfoFactory extends TypeInfoFactory<DeadLetter> {
    /** The type information of {@link DeadLetter}. */
    public static final TypeInformation<DeadLetter> TYPE_INFO =
            new StateTypeInfo<>(DeadLetter.class, DeadLetterSerializer.INSTANCE);

    @Override
    public TypeInformation<DeadLetter> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
