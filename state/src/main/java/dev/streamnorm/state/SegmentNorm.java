package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * Per-record normalization over contiguous segments of a record: layer, group and instance norm.
 *
 * <ul>
 *   <li>layer norm: segments of {@code normalizedSize} values (the whole record, or each row of L
 *       positions), affine per element of a segment;
 *   <li>group norm: G segments of (C/G)·L values, affine per channel;
 *   <li>instance norm: one segment per channel (L values, L ≥ 2), affine per channel.
 * </ul>
 *
 * <p>Each segment is standardized with its mean and biased variance (Welford, so a constant segment
 * has exactly zero variance and maps to the bias). Immutable; {@link #apply} allocates nothing.
 */
public final class SegmentNorm implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int size;
    private final int segmentLength;
    private final double eps;
    // The affine transform spread over every value of a record, for a flat inner loop.
    private final double[] weight;
    private final double[] bias;

    private SegmentNorm(
            int size,
            int segmentLength,
            int affineDivisor,
            int affineModulo,
            double eps,
            Affine affine) {
        checkArgument(eps >= 0 && Double.isFinite(eps), "eps must be >= 0, got %s", eps);
        checkArgument(
                affine.fits(affineModulo),
                "affine has %s entries, expected %s",
                affine.length(),
                affineModulo);
        this.size = size;
        this.segmentLength = segmentLength;
        this.eps = eps;
        this.weight = new double[size];
        this.bias = new double[size];
        for (int i = 0; i < size; i++) {
            int a = (i / affineDivisor) % affineModulo;
            weight[i] = affine.weight(a);
            bias[i] = affine.bias(a);
        }
    }

    /**
     * PyTorch {@code LayerNorm(normalized_shape)}: statistics over each run of {@code
     * normalizedSize} values (the product of {@code normalized_shape}: C·L for the whole record, L
     * for the last axis); {@code affine} has {@code normalizedSize} entries.
     */
    public static SegmentNorm layer(
            RecordShape shape, int normalizedSize, double eps, Affine affine) {
        checkArgument(
                normalizedSize > 0 && shape.size() % normalizedSize == 0,
                "layer norm over %s values does not divide a record of %s values",
                normalizedSize,
                shape.size());
        return new SegmentNorm(shape.size(), normalizedSize, 1, normalizedSize, eps, affine);
    }

    /** PyTorch {@code GroupNorm(groups, C)}: G contiguous channel groups; affine per channel. */
    public static SegmentNorm group(RecordShape shape, int groups, double eps, Affine affine) {
        checkArgument(
                groups > 0 && shape.channels() % groups == 0,
                "groups must divide channels: %s groups, %s channels",
                groups,
                shape.channels());
        return new SegmentNorm(
                shape.size(),
                shape.size() / groups,
                shape.positions(),
                shape.channels(),
                eps,
                affine);
    }

    /** PyTorch {@code InstanceNorm1d(C)}: each channel over its L ≥ 2 positions. */
    public static SegmentNorm instance(RecordShape shape, double eps, Affine affine) {
        checkArgument(
                shape.positions() >= 2,
                "instance norm needs at least 2 positions per channel (shape CxL), got %s",
                shape);
        return group(shape, shape.channels(), eps, affine);
    }

    /** Normalizes one record; {@code in} and {@code out} may be the same array. */
    public void apply(double[] in, double[] out) {
        for (int start = 0; start < size; start += segmentLength) {
            int end = start + segmentLength;
            double mean = 0.0;
            double m2 = 0.0;
            int n = 0;
            for (int i = start; i < end; i++) {
                double x = in[i];
                double delta = x - mean;
                mean += delta / ++n;
                m2 += delta * (x - mean);
            }
            double inverseStd = ChannelNormalizer.inverseStd(m2 / n, eps);
            for (int i = start; i < end; i++) {
                out[i] = (in[i] - mean) * inverseStd * weight[i] + bias[i];
            }
        }
    }
}
