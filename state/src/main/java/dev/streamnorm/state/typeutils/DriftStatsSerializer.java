package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.DriftStats;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link DriftStats}.
 *
 * <p>Format v1: {@code byte 1, long records, int C, double[C] mean, double[C] variance, double[C]
 * servedMean, double[C] servedVariance, double[10·C] histogram} (channel-major).
 */
public final class DriftStatsSerializer extends VersionedSerializer<DriftStats> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final DriftStatsSerializer INSTANCE = new DriftStatsSerializer();

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "DriftStats";
    }

    @Override
    public DriftStats createInstance() {
        return new DriftStats(1);
    }

    @Override
    public DriftStats copy(DriftStats from) {
        return from.copy();
    }

    @Override
    protected void writeBody(DriftStats value, DataOutputView out) throws IOException {
        out.writeLong(value.records());
        int channels = value.channels();
        out.writeInt(channels);
        for (int c = 0; c < channels; c++) {
            out.writeDouble(value.mean(c));
        }
        for (int c = 0; c < channels; c++) {
            out.writeDouble(value.variance(c));
        }
        for (int c = 0; c < channels; c++) {
            out.writeDouble(value.servedMean(c));
        }
        for (int c = 0; c < channels; c++) {
            out.writeDouble(value.servedVariance(c));
        }
        for (int c = 0; c < channels; c++) {
            for (int k = 0; k < DriftStats.BINS; k++) {
                out.writeDouble(value.histogram(c, k));
            }
        }
    }

    @Override
    protected DriftStats readBody(int version, DataInputView in) throws IOException {
        long records = in.readLong();
        int channels = readLength(in, "DriftStats");
        double[] mean = DoubleArrays.read(in, channels);
        double[] variance = DoubleArrays.read(in, channels);
        double[] servedMean = DoubleArrays.read(in, channels);
        double[] servedVariance = DoubleArrays.read(in, channels);
        double[] histogram = DoubleArrays.read(in, channels * DriftStats.BINS);
        return DriftStats.of(records, mean, variance, histogram, servedMean, servedVariance);
    }

    @Override
    public TypeSerializerSnapshot<DriftStats> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link DriftStatsSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<DriftStats> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
