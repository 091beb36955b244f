package dev.streamnorm.state.typeutils;

import java.io.IOException;
import java.util.function.Supplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of a {@link VersionedSerializer}: records the data format version the state was written
 * with.
 *
 * <p>On restore, state in the current format is compatible as is; state in an older format is
 * compatible after migration (Flink reads it with the restored serializer, which reads every old
 * format, and rewrites it in the current one); state from a newer release is incompatible.
 *
 * <p>Evolving a format (say {@code RunningStats} gains a field): keep the class names of the type,
 * its serializer and its snapshot, since a savepoint names the snapshot class it was written with
 * and the new release's class of that name decides on restore. Raise {@code currentVersion()} and
 * keep reading every older version in {@code readBody}, with a default for the new field. Old state
 * is then read by {@link #restoreSerializer()}, which is the new serializer: the HashMap backend
 * keeps the values as it read them, RocksDB rewrites each value in the new format when the state is
 * registered. The operators module's {@code RunningStatsEvolutionITCase} restores a committed v1
 * savepoint into such a v2 on both backends.
 */
@Internal
public abstract class VersionedSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private static final int SNAPSHOT_VERSION = 1;

    private final Supplier<VersionedSerializer<T>> serializer;
    private int formatVersion;

    protected VersionedSerializerSnapshot(Supplier<VersionedSerializer<T>> serializer) {
        this.serializer = serializer;
        this.formatVersion = serializer.get().currentVersion();
    }

    /** The format version of the data this snapshot describes. */
    public int formatVersion() {
        return formatVersion;
    }

    @Override
    public int getCurrentVersion() {
        return SNAPSHOT_VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(formatVersion);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
            throws IOException {
        if (readVersion != SNAPSHOT_VERSION) {
            throw new IOException(
                    "Cannot read serializer snapshot: expected version "
                            + SNAPSHOT_VERSION
                            + ", actual "
                            + readVersion);
        }
        formatVersion = in.readInt();
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return serializer.get();
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> oldSnapshot) {
        if (oldSnapshot.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int oldFormat = ((VersionedSerializerSnapshot<T>) oldSnapshot).formatVersion;
        if (oldFormat == formatVersion) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        return oldFormat < formatVersion
                ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
