package dev.streamnorm.state.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state types are wired to their serializers by {@code @TypeInfo}, alone, in tuples and in
 * POJOs, so that nothing falls back to Kryo even with {@code pipeline.generic-types: false}.
 */
class StateTypeInfoTest {
    private SerializerConfigImpl strict;

    @BeforeEach
    void disableGenericTypes() {
        strict = new SerializerConfigImpl();
        strict.setGenericTypes(false);
    }

    @Test
    void theConfigReallyRejectsGenericTypes() {
        assertThat(strict.hasGenericTypesDisabled()).isTrue();
        assertThatThrownBy(() -> new GenericTypeInfo<>(Object.class).createSerializer(strict))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void runningStatsHasItsOwnTypeInfoAndSerializer() {
        TypeInformation<RunningStats> info = TypeInformation.of(RunningStats.class);
        assertThat(info).isInstanceOf(StateTypeInfo.class);
        assertThat(info).isEqualTo(RunningStatsTypeInfoFactory.TYPE_INFO);
        assertThat(info.getTypeClass()).isEqualTo(RunningStats.class);
        assertThat(info.createSerializer(strict)).isSameAs(RunningStatsSerializer.INSTANCE);
    }

    @Test
    void channelMomentsHasItsOwnTypeInfoAndSerializer() {
        TypeInformation<ChannelMoments> info = TypeInformation.of(ChannelMoments.class);
        assertThat(info).isInstanceOf(StateTypeInfo.class);
        assertThat(info).isEqualTo(ChannelMomentsTypeInfoFactory.TYPE_INFO);
        assertThat(info.createSerializer(strict)).isSameAs(ChannelMomentsSerializer.INSTANCE);
    }

    @Test
    void exponentialMomentsHasItsOwnTypeInfoAndSerializer() {
        TypeInformation<ExponentialMoments> info = TypeInformation.of(ExponentialMoments.class);
        assertThat(info).isInstanceOf(StateTypeInfo.class);
        assertThat(info).isEqualTo(ExponentialMomentsTypeInfoFactory.TYPE_INFO);
        assertThat(info.createSerializer(strict)).isSameAs(ExponentialMomentsSerializer.INSTANCE);
    }

    @Test
    void typeInfoIsAnAtomicNonKeyType() {
        TypeInformation<RunningStats> info = TypeInformation.of(RunningStats.class);
        assertThat(info.isBasicType()).isFalse();
        assertThat(info.isTupleType()).isFalse();
        assertThat(info.isKeyType()).isFalse();
        assertThat(info.getArity()).isEqualTo(1);
        assertThat(info.getTotalFields()).isEqualTo(1);
        assertThat(info).hasToString("RunningStats");
        assertThat(info).isNotEqualTo(TypeInformation.of(ChannelMoments.class));
    }

    @Test
    void insideATuple() throws IOException {
        TypeInformation<Tuple2<String, RunningStats>> info =
                TypeInformation.of(new TypeHint<Tuple2<String, RunningStats>>() {});
        assertThat(info).isInstanceOf(TupleTypeInfo.class);
        assertThat(((TupleTypeInfo<?>) info).getTypeAt(1))
                .isEqualTo(RunningStatsTypeInfoFactory.TYPE_INFO);

        TypeSerializer<Tuple2<String, RunningStats>> serializer = info.createSerializer(strict);
        assertThat(serializer).isInstanceOf(TupleSerializer.class);
        assertThat(((TupleSerializer<?>) serializer).getFieldSerializers()[1])
                .isSameAs(RunningStatsSerializer.INSTANCE);

        RunningStats stats = RunningStats.of(new double[] {1.5, -2}, new double[] {0.25, 4}, 3);
        Tuple2<String, RunningStats> value = Tuple2.of("sensor-7", stats);
        byte[] bytes = serialize(serializer, value);
        assertThat(serializer.deserialize(new DataInputDeserializer(bytes))).isEqualTo(value);
        assertThat(indexOf(bytes, serialize(RunningStatsSerializer.INSTANCE, stats)))
                .isNotNegative();
    }

    /** A POJO holding every state type. */
    public static final class StatsHolder {
        public String key;
        public RunningStats stats;
        public ChannelMoments batch;
        public ExponentialMoments online;

        public StatsHolder() {}

        @Override
        public boolean equals(Object o) {
            return o instanceof StatsHolder
                    && Objects.equals(key, ((StatsHolder) o).key)
                    && Objects.equals(stats, ((StatsHolder) o).stats)
                    && Objects.equals(batch, ((StatsHolder) o).batch)
                    && Objects.equals(online, ((StatsHolder) o).online);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, stats, batch, online);
        }
    }

    @Test
    void insideAPojo() throws IOException {
        TypeInformation<StatsHolder> info = TypeInformation.of(StatsHolder.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<StatsHolder> pojo = (PojoTypeInfo<StatsHolder>) info;
        assertThat(pojo.getArity()).isEqualTo(4);
        for (int i = 0; i < pojo.getArity(); i++) {
            PojoField field = pojo.getPojoFieldAt(i);
            assertThat(field.getTypeInformation())
                    .as(field.getField().getName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
        assertThat(pojo.getTypeAt("stats")).isEqualTo(RunningStatsTypeInfoFactory.TYPE_INFO);
        assertThat(pojo.getTypeAt("batch")).isEqualTo(ChannelMomentsTypeInfoFactory.TYPE_INFO);
        assertThat(pojo.getTypeAt("online")).isEqualTo(ExponentialMomentsTypeInfoFactory.TYPE_INFO);

        TypeSerializer<StatsHolder> serializer = info.createSerializer(strict);
        assertThat(serializer).isInstanceOf(PojoSerializer.class);

        StatsHolder holder = new StatsHolder();
        holder.key = "k";
        holder.stats = RunningStats.of(new double[] {0.1}, new double[] {2.0}, 7);
        holder.batch = new ChannelMoments(2);
        holder.batch.accept(1, 3.0);
        holder.online = new ExponentialMoments(3);
        holder.online.update(new double[] {1, 2, 3}, 0.1);
        byte[] bytes = serialize(serializer, holder);
        assertThat(serializer.deserialize(new DataInputDeserializer(bytes))).isEqualTo(holder);
        assertThat(indexOf(bytes, serialize(RunningStatsSerializer.INSTANCE, holder.stats)))
                .isNotNegative();
        assertThat(indexOf(bytes, serialize(ChannelMomentsSerializer.INSTANCE, holder.batch)))
                .isNotNegative();
        assertThat(indexOf(bytes, serialize(ExponentialMomentsSerializer.INSTANCE, holder.online)))
                .isNotNegative();
    }

    static <T> byte[] serialize(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    /** The first index of {@code part} in {@code whole}, or -1. */
    static int indexOf(byte[] whole, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= whole.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (whole[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
