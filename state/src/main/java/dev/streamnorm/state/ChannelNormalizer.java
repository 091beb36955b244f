package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * The batch-norm kernel: {@code y = (x − mean[c]) / sqrt(var[c] + eps) · weight[c] + bias[c]} for
 * every value of channel c of a record shaped C×L.
 *
 * <p>The per-channel factors are computed once, by {@link #useBatch} or {@link #useRunningStats},
 * and then {@link #apply} normalizes any number of records without allocating. An instance is
 * mutable and not thread-safe: one per operator instance.
 */
public final class ChannelNormalizer {
    private final RecordShape shape;
    private final double eps;
    private final Affine affine;
    // Per value of a record (C·L entries), so that apply() is one flat loop the JIT vectorizes.
    private final double[] center;
    private final double[] scale;
    private final double[] shift;

    /**
     * A normalizer for records of {@code shape}; {@code affine} is per channel.
     *
     * @throws IllegalArgumentException if eps is negative or not finite, or the affine transform
     *     does not have one entry per channel
     */
    public ChannelNormalizer(RecordShape shape, double eps, Affine affine) {
        checkArgument(eps >= 0 && Double.isFinite(eps), "eps must be >= 0, got %s", eps);
        checkArgument(
                affine.fits(shape.channels()),
                "affine has %s entries, expected one per channel (%s)",
                affine.length(),
                shape.channels());
        this.shape = shape;
        this.eps = eps;
        this.affine = affine;
        this.center = new double[shape.size()];
        this.scale = new double[shape.size()];
        this.shift = new double[shape.size()];
        int positions = shape.positions();
        for (int c = 0; c < shape.channels(); c++) {
            Arrays.fill(shift, c * positions, (c + 1) * positions, affine.bias(c));
        }
    }

    /** Normalizes with a batch's mean and biased variance (train mode). */
    public ChannelNormalizer useBatch(ChannelMoments batch) {
        checkChannels(batch.channels());
        for (int c = 0; c < shape.channels(); c++) {
            set(c, batch.mean(c), batch.biasedVariance(c));
        }
        return this;
    }

    /** Normalizes with running (frozen) statistics (eval mode). */
    public ChannelNormalizer useRunningStats(RunningStats stats) {
        checkChannels(stats.channels());
        for (int c = 0; c < shape.channels(); c++) {
            set(c, stats.mean(c), stats.variance(c));
        }
        return this;
    }

    private void checkChannels(int channels) {
        // Tested before any message is built: this runs once per batch or stats change.
        if (channels != shape.channels()) {
            throw new IllegalArgumentException(
                    "statistics have " + channels + " channels, records have " + shape.channels());
        }
    }

    private void set(int c, double mean, double variance) {
        int from = c * shape.positions();
        int to = from + shape.positions();
        Arrays.fill(center, from, to, mean);
        Arrays.fill(scale, from, to, affine.weight(c) * inverseStd(variance, eps));
    }

    /**
     * {@code 1 / sqrt(variance + eps)}, or 0 when {@code variance + eps} is 0 or overflows (so a
     * constant input maps to the bias, never to NaN).
     */
    static double inverseStd(double variance, double eps) {
        double denominator = Math.sqrt(variance + eps);
        return denominator > 0 && denominator < Double.POSITIVE_INFINITY ? 1.0 / denominator : 0.0;
    }

    /**
     * Normalizes the record at {@code in[offset]} to {@code in[offset + C·L - 1]} into {@code out}
     * (from index 0): records held side by side in one array.
     */
    public void apply(double[] in, int offset, double[] out) {
        double[] center = this.center;
        double[] scale = this.scale;
        double[] shift = this.shift;
        int n = center.length;
        if (offset < 0 || in.length - offset < n || out.length < n) {
            throw new IllegalArgumentException(
                    "a record of shape "
                            + shape
                            + " has "
                            + n
                            + " values, got "
                            + (in.length - offset));
        }
        for (int i = 0; i < n; i++) {
            out[i] = (in[offset + i] - center[i]) * scale[i] + shift[i];
        }
    }

    /** Normalizes one record; {@code in} and {@code out} may be the same array. */
    public void apply(double[] in, double[] out) {
        double[] center = this.center;
        double[] scale = this.scale;
        double[] shift = this.shift;
        int n = center.length;
        if (in.length < n || out.length < n) {
            throw new IllegalArgumentException(
                    "a record of shape " + shape + " has " + n + " values, got " + in.length);
        }
        for (int i = 0; i < n; i++) {
            out[i] = (in[i] - center[i]) * scale[i] + shift[i];
        }
    }

    /** The record shape this normalizer expects. */
    public RecordShape shape() {
        return shape;
    }
}
