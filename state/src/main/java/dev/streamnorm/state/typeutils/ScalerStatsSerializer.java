package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.scaler.MaxAbsScalerStats;
import dev.streamnorm.state.scaler.MinMaxScalerStats;
import dev.streamnorm.state.scaler.RobustExactStats;
import dev.streamnorm.state.scaler.RobustScalerStats;
import dev.streamnorm.state.scaler.RobustWindowStats;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerStats;
import dev.streamnorm.state.scaler.StandardScalerStats;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of every {@link ScalerStats} class.
 *
 * <p>Format v1: {@code byte 1, byte class, long count, int features}, then by class: {@code 1}
 * standard {@code double[features] mean, double[features] mean_error, double[features] var}; {@code
 * 2} min-max {@code double[features] min, double[features] max}; {@code 3} max-abs {@code
 * double[features] max_abs}; {@code 4} robust, per feature {@code int length, byte[length]} a KLL
 * sketch in DataSketches' compact serial form; {@code 5} robust window {@code int window,
 * double[min(count, window)·features]} the last records, oldest first; {@code 6} robust exact, per
 * feature {@code double[count]} its values in ascending order.
 */
public final class ScalerStatsSerializer extends VersionedSerializer<ScalerStats> {
    private static final long serialVersionUID = 1L;

    /** The stateless shared instance. */
    public static final ScalerStatsSerializer INSTANCE = new ScalerStatsSerializer();

    private static final int STANDARD = 1;
    private static final int MINMAX = 2;
    private static final int MAXABS = 3;
    private static final int ROBUST = 4;
    private static final int ROBUST_WINDOW = 5;
    private static final int ROBUST_EXACT = 6;

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    protected String typeName() {
        return "ScalerStats";
    }

    @Override
    public ScalerStats createInstance() {
        return ScalerStats.empty(ScalerKind.STANDARD, 1, RobustScalerStats.DEFAULT_SKETCH_SIZE);
    }

    @Override
    public ScalerStats copy(ScalerStats from) {
        return from.copy();
    }

    @Override
    protected void writeBody(ScalerStats value, DataOutputView out) throws IOException {
        int features = value.features();
        out.writeByte(tag(value));
        out.writeLong(value.count());
        out.writeInt(features);
        if (value instanceof StandardScalerStats) {
            StandardScalerStats s = (StandardScalerStats) value;
            for (int i = 0; i < features; i++) {
                out.writeDouble(s.mean(i));
            }
            for (int i = 0; i < features; i++) {
                out.writeDouble(s.meanError(i));
            }
            for (int i = 0; i < features; i++) {
                out.writeDouble(s.variance(i));
            }
        } else if (value instanceof MinMaxScalerStats) {
            MinMaxScalerStats s = (MinMaxScalerStats) value;
            for (int i = 0; i < features; i++) {
                out.writeDouble(s.dataMin(i));
            }
            for (int i = 0; i < features; i++) {
                out.writeDouble(s.dataMax(i));
            }
        } else if (value instanceof MaxAbsScalerStats) {
            MaxAbsScalerStats s = (MaxAbsScalerStats) value;
            for (int i = 0; i < features; i++) {
                out.writeDouble(s.maxAbs(i));
            }
        } else if (value instanceof RobustScalerStats) {
            RobustScalerStats s = (RobustScalerStats) value;
            for (int i = 0; i < features; i++) {
                byte[] sketch = s.sketchBytes(i);
                out.writeInt(sketch.length);
                out.write(sketch);
            }
        } else if (value instanceof RobustExactStats) {
            RobustExactStats s = (RobustExactStats) value;
            for (int i = 0; i < features; i++) {
                DoubleArrays.write(s.values(i), out);
            }
        } else {
            RobustWindowStats s = (RobustWindowStats) value;
            out.writeInt(s.window());
            DoubleArrays.write(s.lastRows(), out);
        }
    }

    private static int tag(ScalerStats value) {
        if (value instanceof RobustWindowStats) {
            return ROBUST_WINDOW;
        }
        if (value instanceof RobustExactStats) {
            return ROBUST_EXACT;
        }
        switch (value.kind()) {
            case STANDARD:
                return STANDARD;
            case MINMAX:
                return MINMAX;
            case MAXABS:
                return MAXABS;
            default:
                return ROBUST;
        }
    }

    @Override
    protected ScalerStats readBody(int version, DataInputView in) throws IOException {
        int tag = in.readUnsignedByte();
        long count = in.readLong();
        int features = readLength(in, "ScalerStats");
        switch (tag) {
            case STANDARD:
                return StandardScalerStats.of(
                        count,
                        DoubleArrays.read(in, features),
                        DoubleArrays.read(in, features),
                        DoubleArrays.read(in, features));
            case MINMAX:
                return MinMaxScalerStats.of(
                        count, DoubleArrays.read(in, features), DoubleArrays.read(in, features));
            case MAXABS:
                return MaxAbsScalerStats.of(count, DoubleArrays.read(in, features));
            case ROBUST:
                byte[][] sketches = new byte[features][];
                for (int i = 0; i < features; i++) {
                    sketches[i] = new byte[readLength(in, "KLL sketch")];
                    in.readFully(sketches[i]);
                }
                return RobustScalerStats.of(sketches);
            case ROBUST_WINDOW:
                int window = readLength(in, "robust window");
                double[] rows = DoubleArrays.read(in, features * (int) Math.min(count, window));
                return RobustWindowStats.of(features, window, count, rows);
            case ROBUST_EXACT:
                if (count > Integer.MAX_VALUE) {
                    throw new IOException("Corrupt ScalerStats: count " + count);
                }
                double[][] values = new double[features][];
                for (int i = 0; i < features; i++) {
                    values[i] = DoubleArrays.read(in, (int) count);
                }
                return RobustExactStats.of(count, values);
            default:
                throw new IOException("Corrupt ScalerStats: unknown class " + tag);
        }
    }

    @Override
    public TypeSerializerSnapshot<ScalerStats> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link ScalerStatsSerializer}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<ScalerStats> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
