package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.state.typeutils.DriftStatsTypeInfoFactory;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Shadow statistics of the live input of one key beside the stats that serve it: how far the live
 * features have drifted from what the model was trained on (DESIGN §8).
 *
 * <p>Per channel c, updated with every value of the channel (a channel of L positions with each of
 * its L values in order) with weight m:
 *
 * <ul>
 *   <li>exponentially weighted mean and variance, {@code d = x − μ; μ += m·d; σ² = (1 − m)(σ² +
 *       m·d²)}, the first value setting {@code μ = x, σ² = 0} (as {@link ExponentialMoments});
 *   <li>a histogram over 10 bins with edges {@code μ_s + σ_s·Φ⁻¹(k/10)}, k = 1..9, where μ_s is the
 *       served running mean and {@code σ_s² = running_var + eps}; a value equal to an edge goes to
 *       the bin above it; decayed as {@code p ← (1 − m)·p + m·onehot}, the first value setting
 *       {@code p = onehot}.
 * </ul>
 *
 * <p>From these: {@code shift = (μ − μ_s)/σ_s} (the live mean of the normalized output), {@code
 * var_ratio = σ²/σ_s²} and {@code psi = Σ_k (p_k − 0.1)·ln(max(p_k, 1e-4)/0.1)}, against the served
 * stats of the latest record. A served variance {@code σ_s² = 0} (zero running_var and eps) makes
 * shift and var_ratio infinite or NaN.
 */
@TypeInfo(DriftStatsTypeInfoFactory.class)
public final class DriftStats {
    /** Number of histogram bins. */
    public static final int BINS = 10;

    /**
     * Φ⁻¹(k/10) for k = 1..9, the standard normal deciles: the doubles nearest to the exact values
     * (√2·erfinv(2k/10 − 1) evaluated with 50 significant digits by mpmath; Apache Commons
     * Statistics' {@code NormalDistribution.inverseCumulativeProbability} agrees within 2 ulp).
     */
    static final double[] NORMAL_DECILES = {
        -1.2815515655446004,
        -0.8416212335729142,
        -0.5244005127080408,
        -0.2533471031357998,
        0.0,
        0.2533471031357998,
        0.5244005127080408,
        0.8416212335729142,
        1.2815515655446004
    };

    private static final double UNIFORM = 1.0 / BINS;
    private static final double PSI_FLOOR = 1e-4;

    private long records;
    private final double[] mean;
    private final double[] variance;
    private final double[] histogram;
    private final double[] servedMean;
    private final double[] servedVariance;

    /** The 9 bin edges of every channel, from {@link #servedMean} and {@link #servedVariance}. */
    private final double[] edges;

    /** Empty shadow statistics of {@code channels} channels. */
    public DriftStats(int channels) {
        this(
                0,
                new double[channels],
                new double[channels],
                new double[channels * BINS],
                new double[channels],
                new double[channels]);
        checkArgument(channels > 0, "channels must be positive, got %s", channels);
    }

    private DriftStats(
            long records,
            double[] mean,
            double[] variance,
            double[] histogram,
            double[] servedMean,
            double[] servedVariance) {
        this.records = records;
        this.mean = mean;
        this.variance = variance;
        this.histogram = histogram;
        this.servedMean = servedMean;
        this.servedVariance = servedVariance;
        this.edges = new double[mean.length * NORMAL_DECILES.length];
        for (int c = 0; c < mean.length; c++) {
            setEdges(c);
        }
    }

    /**
     * Shadow statistics with the given values (taken as they are, not copied); {@code
     * servedVariance} includes eps.
     *
     * @throws IllegalArgumentException if the lengths do not fit or a count is negative
     */
    public static DriftStats of(
            long records,
            double[] mean,
            double[] variance,
            double[] histogram,
            double[] servedMean,
            double[] servedVariance) {
        int channels = mean.length;
        checkArgument(records >= 0, "records must not be negative, got %s", records);
        checkArgument(
                channels > 0
                        && variance.length == channels
                        && servedMean.length == channels
                        && servedVariance.length == channels
                        && histogram.length == channels * BINS,
                "drift stats arrays do not fit %s channels",
                channels);
        return new DriftStats(records, mean, variance, histogram, servedMean, servedVariance);
    }

    /**
     * Folds in one record of {@code served.channels()} channels × {@code positions} values
     * (row-major), served by {@code served} with {@code eps}, with weight {@code m} ∈ (0, 1].
     */
    public void accept(double[] values, int positions, RunningStats served, double eps, double m) {
        int channels = mean.length;
        checkArgument(
                served.channels() == channels && values.length == channels * positions,
                "a record of %s values does not fit %s channels x %s positions",
                values.length,
                channels,
                positions);
        boolean first = records++ == 0;
        for (int c = 0; c < channels; c++) {
            double mean = served.mean(c);
            double variance = served.variance(c) + eps;
            if (mean != servedMean[c] || variance != servedVariance[c]) {
                servedMean[c] = mean;
                servedVariance[c] = variance;
                setEdges(c);
            }
            for (int l = 0; l < positions; l++) {
                double x = values[c * positions + l];
                int bin = bin(x, c);
                if (first && l == 0) {
                    start(c, x, bin);
                } else {
                    update(c, x, bin, m);
                }
            }
        }
    }

    /**
     * The bin of {@code x} in channel {@code c}: the number of its edges {@code μ_s +
     * σ_s·Φ⁻¹(k/10)} at or below {@code x} (counted without branches: random values would
     * mispredict them).
     */
    private int bin(double x, int c) {
        int base = c * NORMAL_DECILES.length;
        int bin = 0;
        for (int k = 0; k < NORMAL_DECILES.length; k++) {
            bin += x >= edges[base + k] ? 1 : 0;
        }
        return bin;
    }

    private void setEdges(int c) {
        double std = Math.sqrt(servedVariance[c]);
        for (int k = 0; k < NORMAL_DECILES.length; k++) {
            edges[c * NORMAL_DECILES.length + k] = servedMean[c] + std * NORMAL_DECILES[k];
        }
    }

    private void start(int c, double x, int bin) {
        mean[c] = x;
        variance[c] = 0.0;
        int base = c * BINS;
        Arrays.fill(histogram, base, base + BINS, 0.0);
        histogram[base + bin] = 1.0;
    }

    private void update(int c, double x, int bin, double m) {
        double keep = 1.0 - m;
        double d = x - mean[c];
        mean[c] += m * d;
        variance[c] = keep * (variance[c] + m * d * d);
        int base = c * BINS;
        for (int k = 0; k < BINS; k++) {
            histogram[base + k] *= keep;
        }
        histogram[base + bin] += m;
    }

    /** Φ⁻¹(k/10), the k-th standard normal decile, for k = 1..9. */
    public static double normalDecile(int k) {
        checkArgument(k >= 1 && k <= 9, "decile k must be in 1..9, got %s", k);
        return NORMAL_DECILES[k - 1];
    }

    /** Number of channels (features). */
    public int channels() {
        return mean.length;
    }

    /** Number of records folded in. */
    public long records() {
        return records;
    }

    /** Live mean μ of channel {@code c}. */
    public double mean(int c) {
        return mean[c];
    }

    /** Live variance σ² of channel {@code c}. */
    public double variance(int c) {
        return variance[c];
    }

    /** Decayed share p_k of bin {@code k} of channel {@code c}. */
    public double histogram(int c, int k) {
        return histogram[c * BINS + k];
    }

    /** Served running mean μ_s of channel {@code c} (of the latest record). */
    public double servedMean(int c) {
        return servedMean[c];
    }

    /** Served variance σ_s² = running_var + eps of channel {@code c} (of the latest record). */
    public double servedVariance(int c) {
        return servedVariance[c];
    }

    /** {@code (μ − μ_s)/σ_s} of channel {@code c}. */
    public double shift(int c) {
        return (mean[c] - servedMean[c]) / Math.sqrt(servedVariance[c]);
    }

    /** {@code σ²/σ_s²} of channel {@code c}. */
    public double varianceRatio(int c) {
        return variance[c] / servedVariance[c];
    }

    /** The population stability index of channel {@code c}'s histogram against 10 equal bins. */
    public double psi(int c) {
        double psi = 0.0;
        for (int k = 0; k < BINS; k++) {
            double p = histogram[c * BINS + k];
            psi += (p - UNIFORM) * Math.log(Math.max(p, PSI_FLOOR) / UNIFORM);
        }
        return psi;
    }

    /** The channel with the largest |shift| (the first of equals). */
    public int worstShiftChannel() {
        int worst = 0;
        for (int c = 1; c < mean.length; c++) {
            if (Math.abs(shift(c)) > Math.abs(shift(worst))) {
                worst = c;
            }
        }
        return worst;
    }

    /** The channel with the largest psi (the first of equals). */
    public int maxPsiChannel() {
        int max = 0;
        for (int c = 1; c < mean.length; c++) {
            if (psi(c) > psi(max)) {
                max = c;
            }
        }
        return max;
    }

    /** A deep copy. */
    public DriftStats copy() {
        return new DriftStats(
                records,
                mean.clone(),
                variance.clone(),
                histogram.clone(),
                servedMean.clone(),
                servedVariance.clone());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DriftStats)) {
            return false;
        }
        DriftStats that = (DriftStats) o;
        return records == that.records
                && Arrays.equals(mean, that.mean)
                && Arrays.equals(variance, that.variance)
                && Arrays.equals(histogram, that.histogram)
                && Arrays.equals(servedMean, that.servedMean)
                && Arrays.equals(servedVariance, that.servedVariance);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(records) + Arrays.hashCode(mean);
    }

    @Override
    public String toString() {
        return "DriftStats{records="
                + records
                + ", mean="
                + Arrays.toString(mean)
                + ", variance="
                + Arrays.toString(variance)
                + ", servedMean="
                + Arrays.toString(servedMean)
                + ", servedVariance="
                + Arrays.toString(servedVariance)
                + '}';
    }
}
