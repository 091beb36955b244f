package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.state.DriftStats;
import dev.streamnorm.state.typeutils.DriftStatsSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serializer of {@link DriftReport}.
 *
 * <p>Format v1: {@code byte 1, string key, long timestamp, string statsVersion, boolean alert,
 * drift stats} (strings as written by {@link StringValue#writeString}, the stats by {@link
 * DriftStatsSerializer}).
 */
public final class DriftReportSerializer extends VersionedSerializer<DriftReport> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final DriftReportSerializer INSTANCE = new DriftReportSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "DriftReport";
    }

    @Override
    public DriftReport createInstance() {
        return new DriftReport("", Long.MIN_VALUE, "", false, new DriftStats(1));
    }

    @Override
    public DriftReport copy(DriftReport from) {
        return new DriftReport(
                from.key(),
                from.timestamp(),
                from.statsVersion(),
                from.alert(),
                from.stats().copy());
    }

    @Override
    protected void writeBody(DriftReport report, DataOutputView out) throws IOException {
        StringValue.writeString(report.key(), out);
        out.writeLong(report.timestamp());
        StringValue.writeString(report.statsVersion(), out);
        out.writeBoolean(report.alert());
        DriftStatsSerializer.INSTANCE.serialize(report.stats(), out);
    }

    @Override
    protected DriftReport readBody(int version, DataInputView in) throws IOException {
        String key = StringValue.readString(in);
        long timestamp = in.readLong();
        String statsVersion = StringValue.readString(in);
        boolean alert = in.readBoolean();
        DriftStats stats = DriftStatsSerializer.INSTANCE.deserialize(in);
        return new DriftReport(key, timestamp, statsVersion, alert, stats);
    }

    @Override
    public TypeSerializerSnapshot<DriftReport> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link DriftReportSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<DriftReport> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
