package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * The learned affine transform {@code y · weight + bias} that follows a normalization (PyTorch's
 * {@code weight}/{@code bias}, Keras' {@code gamma}/{@code beta}).
 *
 * <p>Either part may be absent: a missing weight is 1 and a missing bias is 0 (PyTorch's {@code
 * bias=False}). Kernels index it per channel (batch, group, instance norm) or per element (layer
 * norm).
 */
public final class Affine implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Affine IDENTITY = new Affine(null, null);

    @Nullable private final double[] weight;
    @Nullable private final double[] bias;

    private Affine(@Nullable double[] weight, @Nullable double[] bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** No affine transform: weight 1, bias 0. */
    public static Affine identity() {
        return IDENTITY;
    }

    /**
     * An affine transform; either array may be null. Arrays are copied.
     *
     * @throws IllegalArgumentException if both are given with different lengths or a value is not
     *     finite
     */
    public static Affine of(@Nullable double[] weight, @Nullable double[] bias) {
        checkArgument(
                weight == null || bias == null || weight.length == bias.length,
                "weight and bias must have the same length, got %s and %s",
                weight == null ? 0 : weight.length,
                bias == null ? 0 : bias.length);
        checkFinite("weight", weight);
        checkFinite("bias", bias);
        if (weight == null && bias == null) {
            return IDENTITY;
        }
        return new Affine(
                weight == null ? null : weight.clone(), bias == null ? null : bias.clone());
    }

    private static void checkFinite(String name, @Nullable double[] values) {
        if (values == null) {
            return;
        }
        for (int i = 0; i < values.length; i++) {
            checkArgument(
                    Double.isFinite(values[i]), "%s[%s] is not finite: %s", name, i, values[i]);
        }
    }

    /** Whether this is the identity (no weight and no bias). */
    public boolean isIdentity() {
        return weight == null && bias == null;
    }

    /** Number of entries, or -1 for the identity (which fits any length). */
    public int length() {
        return weight != null ? weight.length : bias != null ? bias.length : -1;
    }

    /** Whether this transform can be applied to {@code n} entries. */
    public boolean fits(int n) {
        return isIdentity() || length() == n;
    }

    /** The weight at {@code i}; 1 when there is no weight. */
    public double weight(int i) {
        return weight == null ? 1.0 : weight[i];
    }

    /** The bias at {@code i}; 0 when there is no bias. */
    public double bias(int i) {
        return bias == null ? 0.0 : bias[i];
    }

    /** Whether a weight is present. */
    public boolean hasWeight() {
        return weight != null;
    }

    /** Whether a bias is present. */
    public boolean hasBias() {
        return bias != null;
    }

    /**
     * This transform followed by {@code y -> y * scale[i] + shift[i]}, as one affine transform:
     * weight {@code w * scale}, bias {@code b * scale + shift}. Used to align normalized outputs to
     * a reference distribution (mean {@code shift}, standard deviation {@code scale}).
     *
     * @throws IllegalArgumentException if the lengths differ from each other or from this one's
     */
    public Affine followedBy(double[] scale, double[] shift) {
        checkArgument(
                scale.length == shift.length && fits(scale.length),
                "cannot follow an affine of %s entries by a scale of %s and a shift of %s",
                length(),
                scale.length,
                shift.length);
        double[] w = new double[scale.length];
        double[] b = new double[scale.length];
        for (int i = 0; i < scale.length; i++) {
            w[i] = weight(i) * scale[i];
            b[i] = bias(i) * scale[i] + shift[i];
        }
        return of(w, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Affine
                && Arrays.equals(weight, ((Affine) o).weight)
                && Arrays.equals(bias, ((Affine) o).bias);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(weight) + Arrays.hashCode(bias);
    }

    @Override
    public String toString() {
        return "Affine{weight=" + Arrays.toString(weight) + ", bias=" + Arrays.toString(bias) + '}';
    }
}
