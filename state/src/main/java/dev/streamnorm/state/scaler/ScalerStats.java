package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.state.typeutils.ScalerStatsTypeInfoFactory;
import java.util.Arrays;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The per-feature statistics of one scaler over a stream of records (one key's state): what
 * scikit-learn's {@code partial_fit} accumulates, updated one record at a time, and the {@link
 * FittedScaler} they give.
 *
 * <p>Records have a fixed number of features; every value is finite (the operators reject the
 * others before they get here).
 */
@TypeInfo(ScalerStatsTypeInfoFactory.class)
public abstract class ScalerStats {
    /** The fitted attribute that counts records, as scikit-learn names it. */
    public static final String N_SAMPLES_SEEN = "n_samples_seen_";

    long count;

    /** Which scaler these statistics belong to. */
    public abstract ScalerKind kind();

    /** The number of features per record. */
    public abstract int features();

    /** The number of records accepted ({@code n_samples_seen_}). */
    public final long count() {
        return count;
    }

    /** Folds in one record: scikit-learn's {@code partial_fit} with a batch of one row. */
    public abstract void accept(double[] x);

    /**
     * Folds in one record forgetting the past with weight {@code m} on the new record (online mode;
     * the definitions are each class's javadoc). The first record initializes the statistics as
     * {@link #accept} does.
     */
    public abstract void acceptForgetting(double[] x, double m);

    /** The scaler fitted on what was accepted so far, with the constructor {@code params}. */
    public abstract FittedScaler fit(ScalerParams params);

    /**
     * The fitted attributes by scikit-learn's names ({@code mean_}, {@code var_}, {@code scale_},
     * ...), without {@link #N_SAMPLES_SEEN}. {@code scale_} is absent where scikit-learn leaves it
     * {@code None} under {@code params}; the statistics it is fitted from are always present.
     */
    public abstract Map<String, double[]> attributes(ScalerParams params);

    /** A deep copy. */
    public abstract ScalerStats copy();

    /** The arrays that hold the statistics (for equality: sketches as their bytes). */
    abstract Object[] contents();

    @Override
    public final boolean equals(Object o) {
        return o != null
                && o.getClass() == getClass()
                && ((ScalerStats) o).count == count
                && Arrays.deepEquals(contents(), ((ScalerStats) o).contents());
    }

    @Override
    public final int hashCode() {
        return Long.hashCode(count) * 31 + getClass().hashCode();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{n=" + count + ", features=" + features() + "}";
    }

    /** Checks that {@code x} has {@link #features()} values. */
    final void checkFeatures(double[] x) {
        checkArgument(x.length == features(), "expected %s features, got %s", features(), x.length);
    }

    /**
     * Statistics with no record yet.
     *
     * @param sketchSize the KLL sketch size {@code k} of the robust scaler (others ignore it)
     */
    public static ScalerStats empty(ScalerKind kind, int features, int sketchSize) {
        switch (kind) {
            case STANDARD:
                return new StandardScalerStats(features);
            case MINMAX:
                return new MinMaxScalerStats(features);
            case MAXABS:
                return new MaxAbsScalerStats(features);
            default:
                return new RobustScalerStats(features, sketchSize);
        }
    }

    /** Exact robust statistics with no record yet ({@link RobustExactStats}, bounded inputs). */
    public static ScalerStats exactRobust(int features) {
        return new RobustExactStats(features);
    }

    /**
     * Statistics with no record yet for online mode, forgetting with weight {@code m}: the robust
     * scaler keeps a window of recent records ({@link RobustWindowStats}), the others the classes
     * of {@link #empty}.
     */
    public static ScalerStats forgetting(ScalerKind kind, int features, double m) {
        return kind == ScalerKind.ROBUST
                ? new RobustWindowStats(features, RobustWindowStats.windowOf(m))
                : empty(kind, features, RobustScalerStats.DEFAULT_SKETCH_SIZE);
    }

    /**
     * Statistics that resume from fitted attributes ({@link #attributes}) of {@code count} records:
     * {@code mean_}, {@code var_} (standard), {@code data_min_}, {@code data_max_} (min-max),
     * {@code max_abs_} (max-abs); the robust scaler resumes from its {@code sketches} only.
     *
     * @throws IllegalArgumentException naming what is missing or inconsistent
     */
    public static ScalerStats restore(
            ScalerKind kind, long count, Map<String, double[]> attributes, byte[][] sketches) {
        switch (kind) {
            case STANDARD:
                return StandardScalerStats.of(
                        count, required(attributes, "mean_"), required(attributes, "var_"));
            case MINMAX:
                return MinMaxScalerStats.of(
                        count,
                        required(attributes, "data_min_"),
                        required(attributes, "data_max_"));
            case MAXABS:
                return MaxAbsScalerStats.of(count, required(attributes, "max_abs_"));
            default:
                checkArgument(
                        sketches != null && sketches.length > 0,
                        "robust statistics resume from their \"sketches\" only");
                RobustScalerStats robust = RobustScalerStats.of(sketches);
                checkArgument(
                        robust.count() == count,
                        "the sketches hold %s values, n_samples_seen_ is %s",
                        robust.count(),
                        count);
                return robust;
        }
    }

    /** {@code attributes.get(name)}, which must be present. */
    static double[] required(Map<String, double[]> attributes, String name) {
        double[] values = attributes.get(name);
        checkArgument(values != null, "\"%s\" is missing", name);
        return values;
    }
}
