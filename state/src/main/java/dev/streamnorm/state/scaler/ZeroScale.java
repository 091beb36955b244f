package dev.streamnorm.state.scaler;

/**
 * scikit-learn's handling of scales that are zero or nearly so ({@code _handle_zeros_in_scale},
 * {@code _is_constant_feature} in {@code sklearn/preprocessing/_data.py}): such a feature is
 * constant and its scale is 1, so that it is shifted but not blown up.
 */
final class ZeroScale {
    /** {@code np.finfo(np.float64).eps}. */
    private static final double EPS = Math.ulp(1.0);

    private ZeroScale() {}

    /** {@code scale}, or 1 when it is below {@code 10·eps} (min-max, max-abs, robust). */
    static double orOne(double scale) {
        return scale < 10 * EPS ? 1.0 : scale;
    }

    /**
     * The standard scaler's scale {@code sqrt(var)}, or 1 when the feature is constant within the
     * rounding error of a variance over {@code n} values: {@code var <= n·eps·var + (n·mean·eps)²}.
     */
    static double standard(double var, double mean, long n) {
        double upperBound = n * EPS * var + square(n * mean * EPS);
        return var <= upperBound ? 1.0 : Math.sqrt(var);
    }

    private static double square(double x) {
        return x * x;
    }
}
