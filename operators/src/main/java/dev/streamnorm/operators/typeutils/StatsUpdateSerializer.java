package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.StatsUpdate;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.RunningStatsSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serializer of {@link StatsUpdate} (held in broadcast state).
 *
 * <p>Format v1: {@code byte 1, string version, long effectiveFrom, int n, n × (string key, running
 * stats in the RunningStatsSerializer format)}.
 */
public final class StatsUpdateSerializer extends VersionedSerializer<StatsUpdate> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final StatsUpdateSerializer INSTANCE = new StatsUpdateSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "StatsUpdate";
    }

    @Override
    public StatsUpdate createInstance() {
        return new StatsUpdate(
                "initial",
                Long.MIN_VALUE,
                StatsTable.of(Map.of(StatsTable.ANY_KEY, RunningStats.initial(1))));
    }

    /** Updates are immutable: the copy is the update itself. */
    @Override
    public StatsUpdate copy(StatsUpdate from) {
        return from;
    }

    @Override
    protected void writeBody(StatsUpdate update, DataOutputView out) throws IOException {
        StringValue.writeString(update.version(), out);
        out.writeLong(update.effectiveFrom());
        StatsTable stats = update.stats();
        out.writeInt(stats.keys().size());
        for (String key : stats.keys()) {
            StringValue.writeString(key, out);
            RunningStatsSerializer.INSTANCE.serialize(stats.lookupExact(key), out);
        }
    }

    @Override
    protected StatsUpdate readBody(int version, DataInputView in) throws IOException {
        String statsVersion = StringValue.readString(in);
        long effectiveFrom = in.readLong();
        int size = in.readInt();
        if (size <= 0) {
            throw new IOException("Corrupt StatsUpdate: " + size + " keys");
        }
        Map<String, RunningStats> entries = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            entries.put(
                    StringValue.readString(in), RunningStatsSerializer.INSTANCE.deserialize(in));
        }
        return new StatsUpdate(statsVersion, effectiveFrom, StatsTable.of(entries));
    }

    @Override
    public TypeSerializerSnapshot<StatsUpdate> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link StatsUpdateSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<StatsUpdate> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
