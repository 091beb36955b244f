package dev.streamnorm.state.typeutils;

import static dev.streamnorm.state.typeutils.StateTypeInfoTest.indexOf;
import static dev.streamnorm.state.typeutils.StateTypeInfoTest.serialize;
import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamnormKryo} registers Kryo serializers that write the same versioned bytes as the
 * Flink serializers, through {@code pipeline.serialization-config}.
 */
class StreamnormKryoTest {

    private static SerializerConfigImpl configured(Configuration conf) {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.configure(conf, StreamnormKryoTest.class.getClassLoader());
        return config;
    }

    private static SerializerConfigImpl registered() {
        Configuration conf = new Configuration();
        StreamnormKryo.register(conf);
        return configured(conf);
    }

    @Test
    void registerAddsDefaultKryoSerializersForAllThreeTypes() {
        assertThat(registered().getDefaultKryoSerializerClasses())
                .containsEntry(RunningStats.class, KryoStateSerializer.RunningStatsKryo.class)
                .containsEntry(ChannelMoments.class, KryoStateSerializer.ChannelMomentsKryo.class)
                .containsEntry(
                        ExponentialMoments.class, KryoStateSerializer.ExponentialMomentsKryo.class);
    }

    @Test
    void registerKeepsEntriesAlreadyConfigured() {
        Configuration conf = new Configuration();
        String existing =
                "java.util.BitSet: {type: kryo, kryo-type: default,"
                        + " class: com.esotericsoftware.kryo.serializers.DefaultSerializers$BitSetSerializer}";
        conf.set(PipelineOptions.SERIALIZATION_CONFIG, List.of(existing));
        StreamnormKryo.register(conf);

        List<String> entries = conf.get(PipelineOptions.SERIALIZATION_CONFIG);
        assertThat(entries).hasSize(4).startsWith(existing);
        assertThat(entries.subList(1, 4)).isEqualTo(StreamnormKryo.serializationConfig());
        SerializerConfigImpl config = configured(conf);
        assertThat(config.getDefaultKryoSerializerClasses())
                .hasSize(4)
                .containsEntry(BitSet.class, DefaultSerializers.BitSetSerializer.class)
                .containsEntry(RunningStats.class, KryoStateSerializer.RunningStatsKryo.class);
    }

    @Test
    void runningStatsRoundTripsThroughKryo() throws IOException {
        assertKryoRoundTrip(
                RunningStats.class,
                RunningStatsSerializer.INSTANCE,
                RunningStats.of(new double[] {0.1, -1e150, 7}, new double[] {1, 0, 1e-300}, 11));
        assertKryoRoundTrip(
                RunningStats.class, RunningStatsSerializer.INSTANCE, RunningStats.initial(1));
    }

    @Test
    void channelMomentsRoundTripThroughKryo() throws IOException {
        ChannelMoments moments = new ChannelMoments(3);
        moments.accept(0, 1e9 + 4);
        moments.accept(0, 1e9 + 7);
        moments.accept(2, -0.5);
        assertKryoRoundTrip(ChannelMoments.class, ChannelMomentsSerializer.INSTANCE, moments);
        assertKryoRoundTrip(
                ChannelMoments.class, ChannelMomentsSerializer.INSTANCE, new ChannelMoments(1));
    }

    @Test
    void exponentialMomentsRoundTripThroughKryo() throws IOException {
        ExponentialMoments moments = new ExponentialMoments(4);
        moments.update(new double[] {1, 2, 3, 4}, 0.1);
        moments.update(new double[] {2, 2, 5, -4}, 0.1);
        assertKryoRoundTrip(
                ExponentialMoments.class, ExponentialMomentsSerializer.INSTANCE, moments);
    }

    private static <T> void assertKryoRoundTrip(Class<T> type, VersionedSerializer<T> ours, T value)
            throws IOException {
        KryoSerializer<T> kryo = new KryoSerializer<>(type, registered());
        byte[] bytes = serialize(kryo, value);

        T back = kryo.deserialize(new DataInputDeserializer(bytes));
        assertThat(back).isEqualTo(value).isNotSameAs(value);
        assertThat(kryo.copy(value)).isEqualTo(value).isNotSameAs(value);

        byte[] body = serialize(ours, value);
        assertThat(indexOf(bytes, body))
                .as("Kryo's bytes contain the versioned body of %s", ours.getClass())
                .isNotNegative();
        // Kryo adds only its class tag in front of the body
        assertThat(bytes.length - body.length).isBetween(1, 8);
    }

    @Test
    void withoutRegistrationKryoWritesSomethingElse() throws IOException {
        RunningStats stats = RunningStats.of(new double[] {0.1, 2}, new double[] {1, 3}, 5);
        KryoSerializer<RunningStats> plain =
                new KryoSerializer<>(RunningStats.class, new SerializerConfigImpl());
        byte[] bytes = serialize(plain, stats);
        assertThat(indexOf(bytes, serialize(RunningStatsSerializer.INSTANCE, stats))).isEqualTo(-1);
    }
}
