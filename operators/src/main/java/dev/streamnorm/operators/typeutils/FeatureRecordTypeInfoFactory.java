package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.state.typeutils.StateTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link FeatureRecord} to {@link FeatureRecordSerializer} through {@code @TypeInfo}. */
public final class FeatureRecordTypeInfoFactory extends TypeInfoFactory<FeatureRecord> {
    /** The type information of {@link FeatureRecord}. */
    public static final TypeInformation<FeatureRecord> TYPE_INFO =
            new StateTypeInfo<>(FeatureRecord.class, FeatureRecordSerializer.INSTANCE);

    @Override
    public TypeInformation<FeatureRecord> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
