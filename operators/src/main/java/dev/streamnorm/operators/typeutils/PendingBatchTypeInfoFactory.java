package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.internal.PendingBatch;
import dev.streamnorm.state.typeutils.StateTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link PendingBatch} to {@link PendingBatchSerializer} through {@code @TypeInfo}. */
public final class PendingBatchTypeInfoFactory extends TypeInfoFactory<PendingBatch> {
    /** The type information of {@link PendingBatch}. */
    public static final TypeInformation<PendingBatch> TYPE_INFO =
            new StateTypeInfo<>(PendingBatch.class, PendingBatchSerializer.INSTANCE);

    @Override
    public TypeInformation<PendingBatch> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
