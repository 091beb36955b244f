package dev.streamnorm.state.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The version header and the error messages of {@link VersionedSerializer}. */
class VersionedSerializerTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 9, 127, 255})
    void unknownFormatVersionFailsWithExpectedAndActual(int version) throws IOException {
        assertRejected(
                RunningStatsSerializer.INSTANCE,
                RunningStats.initial(2),
                version,
                "Cannot read RunningStats: expected format version 1..1, actual " + version);
        assertRejected(
                ChannelMomentsSerializer.INSTANCE,
                new ChannelMoments(2),
                version,
                "Cannot read ChannelMoments: expected format version 1..1, actual " + version);
        assertRejected(
                ExponentialMomentsSerializer.INSTANCE,
                new ExponentialMoments(2),
                version,
                "Cannot read ExponentialMoments: expected format version 1..1, actual " + version);
    }

    private static <T> void assertRejected(
            VersionedSerializer<T> serializer, T value, int version, String message)
            throws IOException {
        byte[] bytes = serialize(serializer, value);
        assertThat(bytes[0]).as("version header").isEqualTo((byte) 1);
        bytes[0] = (byte) version;
        assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class)
                .hasMessage(message);
        DataOutputSerializer target = new DataOutputSerializer(16);
        assertThatThrownBy(() -> serializer.copy(new DataInputDeserializer(bytes), target))
                .isInstanceOf(IOException.class)
                .hasMessage(message);
    }

    @Test
    void streamGetsTheBytesWrittenToMemoryWhateverTheValueSize() throws IOException {
        RunningStats small = RunningStats.of(new double[] {1.5, -2.0}, new double[] {0.25, 4.0}, 3);
        // Over a MiB: the thread's buffer grows for it and is dropped after.
        double[] many = new double[100_000];
        Arrays.setAll(many, i -> i * 0.5 + 0.125);
        RunningStats large = RunningStats.of(many, many.clone(), 9);
        for (RunningStats stats : Arrays.asList(small, large, small)) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            DataOutputViewStreamWrapper out = new DataOutputViewStreamWrapper(stream);
            RunningStatsSerializer.INSTANCE.serialize(stats, out);
            RunningStatsSerializer.INSTANCE.serialize(stats, out);
            byte[] once = serialize(RunningStatsSerializer.INSTANCE, stats);
            byte[] twice = Arrays.copyOf(once, 2 * once.length);
            System.arraycopy(once, 0, twice, once.length, once.length);
            assertThat(stream.toByteArray()).isEqualTo(twice);
        }
    }

    @Test
    void corruptLengthIsAnIoException() {
        byte[] zeroChannels = {1, 0, 0, 0, 0};
        assertThatThrownBy(
                        () ->
                                RunningStatsSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(zeroChannels)))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt RunningStats: length 0");
        byte[] negativeChannels = {1, -1, -1, -1, -1};
        assertThatThrownBy(
                        () ->
                                ChannelMomentsSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(negativeChannels)))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt ChannelMoments: length -1");
    }

    @Test
    void truncatedBytesAreAnIoException() throws IOException {
        byte[] bytes =
                serialize(
                        ExponentialMomentsSerializer.INSTANCE,
                        ExponentialMoments.of(3, new double[] {1, 2}, new double[] {3, 4}));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);
        assertThatThrownBy(
                        () ->
                                ExponentialMomentsSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(truncated)))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void serializersAreStatelessSingletons() {
        assertThat(RunningStatsSerializer.INSTANCE.duplicate())
                .isSameAs(RunningStatsSerializer.INSTANCE);
        assertThat(RunningStatsSerializer.INSTANCE.isImmutableType()).isFalse();
        assertThat(RunningStatsSerializer.INSTANCE.getLength()).isEqualTo(-1);
        assertThat(RunningStatsSerializer.INSTANCE).isEqualTo(new RunningStatsSerializer());
        assertThat(RunningStatsSerializer.INSTANCE).isNotEqualTo(ChannelMomentsSerializer.INSTANCE);
        assertThat(RunningStatsSerializer.INSTANCE.createInstance())
                .isEqualTo(RunningStats.initial(1));
    }

    @Test
    void copiesAreDeep() {
        RunningStats stats = RunningStats.of(new double[] {1, 2}, new double[] {3, 4}, 5);
        RunningStats copy = RunningStatsSerializer.INSTANCE.copy(stats);
        assertThat(copy).isEqualTo(stats).isNotSameAs(stats);

        ChannelMoments moments = new ChannelMoments(1);
        moments.accept(0, 1.0);
        ChannelMoments momentsCopy = ChannelMomentsSerializer.INSTANCE.copy(moments);
        moments.accept(0, 5.0);
        assertThat(momentsCopy.count(0)).isEqualTo(1);
        assertThat(momentsCopy.mean(0)).isEqualTo(1.0);

        ExponentialMoments ema = new ExponentialMoments(1);
        ExponentialMoments emaCopy = ExponentialMomentsSerializer.INSTANCE.copy(ema);
        ema.update(new double[] {2.0}, 0.5);
        assertThat(emaCopy.count()).isZero();
        assertThat(emaCopy.mean(0)).isEqualTo(0.0);
    }

    static <T> byte[] serialize(VersionedSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }
}
