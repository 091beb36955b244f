package dev.streamnorm.state;

/**
 * Cosine normalization of a record: {@code y = x / max(‖x‖₂, eps)} (PyTorch {@code F.normalize(x,
 * p=2)}).
 *
 * <p>The norm is computed on values scaled by their largest magnitude, so records of 1e±200 do not
 * overflow or underflow when squared. A zero record maps to zeros.
 */
public final class L2Norm {
    private L2Norm() {}

    /** Normalizes {@code in} into {@code out} (which may be the same array). */
    public static void apply(double[] in, double[] out, double eps) {
        double norm = norm(in);
        double divisor = Math.max(norm, eps);
        for (int i = 0; i < in.length; i++) {
            out[i] = divisor > 0 ? in[i] / divisor : 0.0;
        }
    }

    /** The Euclidean norm of {@code values}, without overflow or underflow of the squares. */
    public static double norm(double[] values) {
        double largest = 0.0;
        for (double v : values) {
            largest = Math.max(largest, Math.abs(v));
        }
        if (largest == 0.0 || largest == Double.POSITIVE_INFINITY) {
            return largest;
        }
        double sum = 0.0;
        for (double v : values) {
            double scaled = v / largest;
            sum += scaled * scaled;
        }
        return largest * Math.sqrt(sum);
    }
}
