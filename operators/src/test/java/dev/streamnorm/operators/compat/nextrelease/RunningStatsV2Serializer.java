package dev.streamnorm.operators.compat.nextrelease;

import dev.streamnorm.state.typeutils.VersionedSerializer;
import dev.streamnorm.state.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@code RunningStatsSerializer} as a next release would evolve it for {@link RunningStatsV2}:
 * format v2 appends the update time; format v1 values still read, with {@link
 * RunningStatsV2#UNKNOWN_UPDATE_TIME}. Tests load it under the name {@code
 * dev.streamnorm.state.typeutils.RunningStatsSerializer}.
 *
 * <p>Format v1: {@code byte 1, int C, double[C] mean, double[C] variance, long numBatchesTracked}.
 * Format v2: the same with {@code byte 2}, then {@code long lastUpdatedMillis}.
 */
public final class RunningStatsV2Serializer extends VersionedSerializer<RunningStatsV2> {
    private static final long serialVersionUID = 1L;

    public static final RunningStatsV2Serializer INSTANCE = new RunningStatsV2Serializer();

    @Override
    public int currentVersion() {
        return 2;
    }

    @Override
    protected String typeName() {
        return "RunningStats";
    }

    @Override
    public RunningStatsV2 createInstance() {
        return new RunningStatsV2(
                new double[] {0.0}, new double[] {1.0}, 0L, RunningStatsV2.UNKNOWN_UPDATE_TIME);
    }

    @Override
    public RunningStatsV2 copy(RunningStatsV2 from) {
        return from.copy();
    }

    @Override
    protected void writeBody(RunningStatsV2 value, DataOutputView out) throws IOException {
        out.writeInt(value.channels());
        for (double m : value.mean()) {
            out.writeDouble(m);
        }
        for (double v : value.variance()) {
            out.writeDouble(v);
        }
        out.writeLong(value.numBatchesTracked());
        out.writeLong(value.lastUpdatedMillis());
    }

    @Override
    protected RunningStatsV2 readBody(int version, DataInputView in) throws IOException {
        int channels = in.readInt();
        if (channels <= 0) {
            throw new IOException("Corrupt RunningStats: length " + channels);
        }
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = in.readDouble();
        }
        for (int c = 0; c < channels; c++) {
            variance[c] = in.readDouble();
        }
        long numBatchesTracked = in.readLong();
        long lastUpdatedMillis = version >= 2 ? in.readLong() : RunningStatsV2.UNKNOWN_UPDATE_TIME;
        return new RunningStatsV2(mean, variance, numBatchesTracked, lastUpdatedMillis);
    }

    @Override
    public TypeSerializerSnapshot<RunningStatsV2> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link RunningStatsV2Serializer}: the production snapshot's logic, unchanged. */
    public static final class Snapshot extends VersionedSerializerSnapshot<RunningStatsV2> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
