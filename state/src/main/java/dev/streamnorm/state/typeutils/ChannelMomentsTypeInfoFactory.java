package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.ChannelMoments;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Wires {@link ChannelMoments} to {@link ChannelMomentsSerializer} through {@code @TypeInfo}. */
public final class ChannelMomentsTypeInfoFactory extends TypeInfoFactory<ChannelMoments> {
    /** The type information of {@link ChannelMoments}. */
    public static final TypeInformation<ChannelMoments> TYPE_INFO =
            new StateTypeInfo<>(ChannelMoments.class, ChannelMomentsSerializer.INSTANCE);

    @Override
    public TypeInformation<ChannelMoments> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE_INFO;
    }
}
