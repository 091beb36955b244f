package dev.streamnorm.state.typeutils;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;

/**
 * A Kryo serializer for a streamnorm state type that writes the same versioned bytes as its Flink
 * serializer, for users who keep these types inside generic containers that Flink hands to Kryo.
 * Register the subclasses with {@link StreamnormKryo#register}.
 */
public abstract class KryoStateSerializer<T> extends Serializer<T> {
    private final VersionedSerializer<T> serializer;

    protected KryoStateSerializer(VersionedSerializer<T> serializer) {
        this.serializer = serializer;
    }

    @Override
    public void write(Kryo kryo, Output output, T value) {
        try {
            serializer.serialize(value, new DataOutputViewStreamWrapper(output));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        try {
            return serializer.deserialize(new DataInputViewStreamWrapper(input));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public T copy(Kryo kryo, T original) {
        return serializer.copy(original);
    }

    /** Kryo serializer of {@link dev.streamnorm.state.RunningStats}. */
    public static final class RunningStatsKryo
            extends KryoStateSerializer<dev.streamnorm.state.RunningStats> {
        public RunningStatsKryo() {
            super(RunningStatsSerializer.INSTANCE);
        }
    }

    /** Kryo serializer of {@link dev.streamnorm.state.ChannelMoments}. */
    public static final class ChannelMomentsKryo
            extends KryoStateSerializer<dev.streamnorm.state.ChannelMoments> {
        public ChannelMomentsKryo() {
            super(ChannelMomentsSerializer.INSTANCE);
        }
    }

    /** Kryo serializer of {@link dev.streamnorm.state.ExponentialMoments}. */
    public static final class ExponentialMomentsKryo
            extends KryoStateSerializer<dev.streamnorm.state.ExponentialMoments> {
        public ExponentialMomentsKryo() {
            super(ExponentialMomentsSerializer.INSTANCE);
        }
    }
}
