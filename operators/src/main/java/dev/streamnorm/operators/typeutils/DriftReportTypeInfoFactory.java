package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.state.typeutils.StateTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link DriftReport} to {@link DriftReportSerializer} through {@code @TypeInfo}. */
public final class DriftReportTypeInfoFactory extends TypeInfoFactory<DriftReport> {
    /** The type information of {@link DriftReport}. */
    public static final TypeInformation<DriftReport> TYPE_INFO =
            new StateTypeInfo<>(DriftReport.class, DriftReportSerializer.INSTANCE);

    @Override
    public TypeInformation<DriftReport> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
