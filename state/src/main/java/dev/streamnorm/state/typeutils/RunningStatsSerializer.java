package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link RunningStats}.
 *
 * <p>Format v1: {@code byte 1, int C, double[C] mean, double[C] variance, long numBatchesTracked}.
 */
public final class RunningStatsSerializer extends VersionedSerializer<RunningStats> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final RunningStatsSerializer INSTANCE = new RunningStatsSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "RunningStats";
    }

    @Override
    public RunningStats createInstance() {
        return RunningStats.initial(1);
    }

    @Override
    public RunningStats copy(RunningStats from) {
        return from.copy();
    }

    @Override
    protected void writeBody(RunningStats value, DataOutputView out) throws IOException {
        int channels = value.channels();
        out.writeInt(channels);
        for (int c = 0; c < channels; c++) {
            out.writeDouble(value.mean(c));
        }
        for (int c = 0; c < channels; c++) {
            out.writeDouble(value.variance(c));
        }
        out.writeLong(value.numBatchesTracked());
    }

    @Override
    protected RunningStats readBody(int version, DataInputView in) throws IOException {
        int channels = readLength(in, "RunningStats");
        double[] mean = DoubleArrays.read(in, channels);
        double[] variance = DoubleArrays.read(in, channels);
        long numBatchesTracked = in.readLong();
        return RunningStats.of(mean, variance, numBatchesTracked);
    }

    @Override
    public TypeSerializerSnapshot<RunningStats> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link RunningStatsSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<RunningStats> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
