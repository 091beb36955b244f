package dev.streamnorm.state.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The serializer snapshots written into checkpoints and their compatibility decisions. */
class SerializerSnapshotTest {

    static Stream<VersionedSerializer<?>> serializers() {
        return Stream.of(
                RunningStatsSerializer.INSTANCE,
                ChannelMomentsSerializer.INSTANCE,
                ExponentialMomentsSerializer.INSTANCE,
                ScalerStatsSerializer.INSTANCE);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    <T> void versionedSnapshotRoundTrip(VersionedSerializer<T> serializer) throws IOException {
        TypeSerializerSnapshot<T> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);

        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        TypeSerializerSnapshot<T> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
        assertThat(in.available()).as("trailing bytes").isZero();

        assertThat(restored).isExactlyInstanceOf(snapshot.getClass());
        assertThat(((VersionedSerializerSnapshot<?>) restored).formatVersion()).isEqualTo(1);
        assertThat(restored.getCurrentVersion()).isEqualTo(1);
        assertThat(restored.restoreSerializer()).isSameAs(serializer);

        TypeSerializerSchemaCompatibility<T> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("serializers")
    <T> void olderFormatNeedsMigrationAndNewerFormatIsIncompatible(
            VersionedSerializer<T> serializer) throws IOException {
        TypeSerializerSnapshot<T> current = serializer.snapshotConfiguration();

        TypeSerializerSnapshot<T> older = readSnapshotOfFormat(serializer, 0);
        assertThat(current.resolveSchemaCompatibility(older).isCompatibleAfterMigration()).isTrue();

        TypeSerializerSnapshot<T> newer = readSnapshotOfFormat(serializer, 2);
        assertThat(current.resolveSchemaCompatibility(newer).isIncompatible()).isTrue();
    }

    private static <T> TypeSerializerSnapshot<T> readSnapshotOfFormat(
            VersionedSerializer<T> serializer, int formatVersion) throws IOException {
        TypeSerializerSnapshot<T> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(4);
        out.writeInt(formatVersion);
        snapshot.readSnapshot(
                1,
                new DataInputDeserializer(out.getCopyOfBuffer()),
                SerializerSnapshotTest.class.getClassLoader());
        assertThat(((VersionedSerializerSnapshot<?>) snapshot).formatVersion())
                .isEqualTo(formatVersion);
        return snapshot;
    }

    @Test
    void anotherSnapshotClassIsIncompatible() {
        TypeSerializerSnapshot<RunningStats> ours =
                RunningStatsSerializer.INSTANCE.snapshotConfiguration();

        TypeSerializerSnapshot<RunningStats> kryo =
                new KryoSerializer<>(RunningStats.class, new SerializerConfigImpl())
                        .snapshotConfiguration();
        assertThat(ours.resolveSchemaCompatibility(kryo).isIncompatible()).isTrue();

        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<RunningStats> otherType =
                (TypeSerializerSnapshot) ChannelMomentsSerializer.INSTANCE.snapshotConfiguration();
        assertThat(ours.resolveSchemaCompatibility(otherType).isIncompatible()).isTrue();

        TypeSerializerSnapshot<ChannelMoments> moments =
                ChannelMomentsSerializer.INSTANCE.snapshotConfiguration();
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<ChannelMoments> stats = (TypeSerializerSnapshot) ours;
        assertThat(moments.resolveSchemaCompatibility(stats).isIncompatible()).isTrue();
    }

    @Test
    void unknownSnapshotVersionIsRejected() {
        TypeSerializerSnapshot<RunningStats> snapshot =
                RunningStatsSerializer.INSTANCE.snapshotConfiguration();
        assertThatThrownBy(
                        () ->
                                snapshot.readSnapshot(
                                        2,
                                        new DataInputDeserializer(new byte[] {0, 0, 0, 1}),
                                        getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot read serializer snapshot: expected version 1, actual 2");
    }
}
