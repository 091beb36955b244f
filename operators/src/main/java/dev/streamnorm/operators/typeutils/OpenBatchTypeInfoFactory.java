package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.internal.OpenBatch;
import dev.streamnorm.state.typeutils.StateTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link OpenBatch} to {@link OpenBatchSerializer} through {@code @TypeInfo}. */
public final class OpenBatchTypeInfoFactory extends TypeInfoFactory<OpenBatch> {
    /** The type information of {@link OpenBatch}. */
    public static final TypeInformation<OpenBatch> TYPE_INFO =
            new StateTypeInfo<>(OpenBatch.class, OpenBatchSerializer.INSTANCE);

    @Override
    public TypeInformation<OpenBatch> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
