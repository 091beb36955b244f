package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * {@code RobustScaler}'s median ({@code center_}) and quantile range ({@code scale_}) per feature,
 * from one Apache DataSketches KLL quantile sketch per feature.
 *
 * <p>While a sketch holds every value it was given (up to {@code k} values), the median and
 * percentiles are exact and computed as NumPy does ({@link Quantiles}). Past that, they are the
 * sketch's quantiles at normalized ranks 0.5, Q1/100 and Q3/100: each has the normalized rank error
 * of {@link #rankError(int)} (0.90% at the default k = 300) with 99% confidence, that is, its true
 * rank among the feature's values is within that much of the requested rank.
 *
 * <p>Sketches are mergeable: two keys' or two streams' statistics combine as if one had seen every
 * value. They cannot forget; online mode uses {@link RobustWindowStats}.
 */
public final class RobustScalerStats extends ScalerStats {
    /** The default sketch size k. */
    public static final int DEFAULT_SKETCH_SIZE = 400;

    /** The bound on the normalized rank error of the fitted quantiles. */
    public static final double RANK_ERROR_BOUND = 0.01;

    /** The smallest k whose rank error is below {@link #RANK_ERROR_BOUND}. */
    static final int MIN_SKETCH_SIZE = 269;

    private final KllDoublesSketch[] sketches;
    private final int sketchSize;

    /** Growth of the count (relative) after which estimated quantiles are recomputed. */
    private final double refresh;

    /** Exact mode: each feature's values sorted (the first {@code count}), or null (not built). */
    @Nullable private double[][] sorted;

    /** Estimation mode: median and percentiles per feature as of {@link #estimatedAt}, or null. */
    @Nullable private double[][] estimated;

    private long estimatedAt;
    @Nullable private ScalerParams estimatedFor;

    RobustScalerStats(int features, int sketchSize) {
        checkArgument(features > 0, "features must be positive, got %s", features);
        checkArgument(
                sketchSize <= 65535 && rankError(sketchSize) < RANK_ERROR_BOUND,
                "sketch size k must be in [%s, 65535] (rank error below 1%%), got %s",
                MIN_SKETCH_SIZE,
                sketchSize);
        this.sketchSize = sketchSize;
        this.refresh = RANK_ERROR_BOUND - rankError(sketchSize);
        this.sketches = new KllDoublesSketch[features];
        for (int i = 0; i < features; i++) {
            sketches[i] = KllDoublesSketch.newHeapInstance(sketchSize);
        }
    }

    private RobustScalerStats(KllDoublesSketch[] sketches, int sketchSize, long count) {
        this.sketches = sketches;
        this.sketchSize = sketchSize;
        this.refresh = RANK_ERROR_BOUND - rankError(sketchSize);
        this.count = count;
    }

    /**
     * Statistics restored from the sketches' serialized forms ({@link #sketchBytes(int)}).
     *
     * @throws IllegalArgumentException if a sketch cannot be read or their counts differ
     */
    public static RobustScalerStats of(byte[][] serializedSketches) {
        checkArgument(serializedSketches.length > 0, "no sketches");
        KllDoublesSketch[] sketches = new KllDoublesSketch[serializedSketches.length];
        for (int i = 0; i < sketches.length; i++) {
            try {
                sketches[i] = KllDoublesSketch.heapify(Memory.wrap(serializedSketches[i]));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "sketch " + i + " is not a KLL doubles sketch: " + e.getMessage(), e);
            }
            checkArgument(
                    sketches[i].getN() == sketches[0].getN()
                            && sketches[i].getK() == sketches[0].getK(),
                    "sketch %s has n = %s, k = %s; sketch 0 has n = %s, k = %s",
                    i,
                    sketches[i].getN(),
                    sketches[i].getK(),
                    sketches[0].getN(),
                    sketches[0].getK());
        }
        return new RobustScalerStats(sketches, sketches[0].getK(), sketches[0].getN());
    }

    /**
     * The normalized rank error of one quantile of a sketch of size {@code k} (99% confidence), as
     * DataSketches documents it.
     */
    public static double rankError(int k) {
        return KllDoublesSketch.getNormalizedRankError(k, false);
    }

    @Override
    public ScalerKind kind() {
        return ScalerKind.ROBUST;
    }

    @Override
    public int features() {
        return sketches.length;
    }

    /** The sketch size k. */
    public int sketchSize() {
        return sketchSize;
    }

    /** Whether every quantile is exact (no sketch has compacted values yet). */
    public boolean isExact() {
        for (KllDoublesSketch sketch : sketches) {
            if (sketch.isEstimationMode()) {
                return false;
            }
        }
        return true;
    }

    /** The serialized (compact) form of feature {@code i}'s sketch. */
    public byte[] sketchBytes(int i) {
        return sketches[i].toByteArray();
    }

    @Override
    public void accept(double[] x) {
        checkFeatures(x);
        count++;
        for (int i = 0; i < x.length; i++) {
            sketches[i].update(x[i]);
        }
        if (sorted != null) {
            if (!sketches[0].isEstimationMode()) {
                for (int i = 0; i < x.length; i++) {
                    sorted[i] = insert(sorted[i], (int) count - 1, x[i]);
                }
            } else {
                sorted = null;
            }
        }
    }

    /** {@code values[0..n)} sorted with {@code x} inserted (the array grows when full). */
    private static double[] insert(double[] values, int n, double x) {
        double[] target = n < values.length ? values : Arrays.copyOf(values, 2 * n + 8);
        int at = Arrays.binarySearch(target, 0, n, x);
        at = at < 0 ? -at - 1 : at;
        System.arraycopy(target, at, target, at + 1, n - at);
        target[at] = x;
        return target;
    }

    /** Not supported: a sketch cannot forget. */
    @Override
    public void acceptForgetting(double[] x, double m) {
        throw new UnsupportedOperationException("a quantile sketch cannot forget");
    }

    /** Folds in {@code other}'s values, as if this had accepted them too. */
    public void merge(RobustScalerStats other) {
        checkArgument(
                other.features() == features(),
                "expected %s features, got %s",
                features(),
                other.features());
        for (int i = 0; i < sketches.length; i++) {
            sketches[i].merge(other.sketches[i]);
        }
        count += other.count;
        sorted = null;
        estimated = null;
    }

    /** Median, low and high percentile of feature {@code i}. */
    private double[] quantiles(int i, ScalerParams params) {
        if (count == 0) {
            return new double[] {0, 0, 0};
        }
        // Every sketch has taken the same number of values, so all compact at the same count.
        if (!sketches[0].isEstimationMode()) {
            if (sorted == null) {
                sorted = new double[sketches.length][];
                for (int f = 0; f < sketches.length; f++) {
                    sorted[f] = sketches[f].getSortedView().getQuantiles();
                }
            }
            int n = (int) count;
            return new double[] {
                Quantiles.median(sorted[i], n),
                Quantiles.percentile(sorted[i], n, params.quantileLow),
                Quantiles.percentile(sorted[i], n, params.quantileHigh)
            };
        }
        if (estimated == null
                || !params.equals(estimatedFor)
                || count - estimatedAt > estimatedAt * refresh) {
            estimated = new double[sketches.length][];
            QuantileSearchCriteria inclusive = QuantileSearchCriteria.INCLUSIVE;
            double[] ranks = {0.5, params.quantileLow / 100.0, params.quantileHigh / 100.0};
            for (int f = 0; f < sketches.length; f++) {
                estimated[f] = sketches[f].getQuantiles(ranks, inclusive);
            }
            estimatedAt = count;
            estimatedFor = params;
        }
        return estimated[i];
    }

    @Override
    public FittedScaler fit(ScalerParams params) {
        return FittedScaler.of(ScalerKind.ROBUST, params, attributes(params));
    }

    @Override
    public Map<String, double[]> attributes(ScalerParams params) {
        double[] center = new double[sketches.length];
        double[] scale = new double[sketches.length];
        for (int i = 0; i < sketches.length; i++) {
            double[] q = quantiles(i, params);
            center[i] = q[0];
            scale[i] = Quantiles.scale(q[1], q[2], params);
        }
        return RobustWindowStats.attributes(center, scale, params);
    }

    @Override
    public RobustScalerStats copy() {
        KllDoublesSketch[] copies = new KllDoublesSketch[sketches.length];
        for (int i = 0; i < copies.length; i++) {
            copies[i] = KllDoublesSketch.heapify(Memory.wrap(sketches[i].toByteArray()));
        }
        return new RobustScalerStats(copies, sketchSize, count);
    }

    /**
     * Per sketch: n, k and its sorted values with their cumulative weights, which is what the
     * sketch answers; its bytes are no measure, since answering a query sorts its newest values in
     * place. Computed on copies, so comparing never changes a sketch.
     */
    @Override
    Object[] contents() {
        Object[] contents = new Object[3 * sketches.length];
        for (int i = 0; i < sketches.length; i++) {
            KllDoublesSketch copy = KllDoublesSketch.heapify(Memory.wrap(sketchBytes(i)));
            contents[3 * i] = new long[] {copy.getN(), copy.getK()};
            if (!copy.isEmpty()) {
                contents[3 * i + 1] = copy.getSortedView().getQuantiles();
                contents[3 * i + 2] = copy.getSortedView().getCumulativeWeights();
            }
        }
        return contents;
    }
}
