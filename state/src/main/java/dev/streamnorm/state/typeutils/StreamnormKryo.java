package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;

/**
 * Registers streamnorm's Kryo serializers as Kryo default serializers, through Flink's {@code
 * pipeline.serialization-config}.
 *
 * <pre>{@code
 * Configuration conf = new Configuration();
 * StreamnormKryo.register(conf);
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
 * }</pre>
 *
 * <p>In {@code config.yaml}, the same entries as {@link #serializationConfig()} returns.
 */
public final class StreamnormKryo {
    private StreamnormKryo() {}

    /** The {@code pipeline.serialization-config} entries for streamnorm's state types. */
    public static List<String> serializationConfig() {
        return List.of(
                entry(RunningStats.class, KryoStateSerializer.RunningStatsKryo.class),
                entry(ChannelMoments.class, KryoStateSerializer.ChannelMomentsKryo.class),
                entry(ExponentialMoments.class, KryoStateSerializer.ExponentialMomentsKryo.class));
    }

    /** Adds {@link #serializationConfig()} to the entries already in {@code conf}. */
    public static void register(Configuration conf) {
        List<String> entries =
                new ArrayList<>(
                        conf.getOptional(PipelineOptions.SERIALIZATION_CONFIG).orElse(List.of()));
        entries.addAll(serializationConfig());
        conf.set(PipelineOptions.SERIALIZATION_CONFIG, entries);
    }

    private static String entry(Class<?> type, Class<?> serializer) {
        return type.getName()
                + ": {type: kryo, kryo-type: default, class: "
                + serializer.getName()
                + "}";
    }
}
