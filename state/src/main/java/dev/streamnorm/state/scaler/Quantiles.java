package dev.streamnorm.state.scaler;

/**
 * NumPy's median and percentile of sorted values, as {@code RobustScaler} computes them ({@code
 * np.nanmedian}, {@code np.nanpercentile} with the default linear method), in the same
 * floating-point operations.
 */
final class Quantiles {
    private Quantiles() {}

    /** The median of {@code sorted[0..n)}: the middle value, or the mean of the middle two. */
    static double median(double[] sorted, int n) {
        int half = n / 2;
        return n % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }

    /**
     * The {@code q}-th percentile (0..100) of {@code sorted[0..n)}: virtual index {@code (n − 1)·q
     * / 100} between the values either side of it, interpolated as NumPy's {@code _lerp}.
     */
    static double percentile(double[] sorted, int n, double q) {
        double virtual = (n - 1) * (q / 100.0);
        int below = (int) Math.floor(virtual);
        int above = Math.min(below + 1, n - 1);
        double t = virtual - below;
        double a = sorted[below];
        double b = sorted[above];
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    /** The robust scaler's scale from the two percentiles (zero range → 1, unit variance). */
    static double scale(double low, double high, ScalerParams params) {
        double scale = ZeroScale.orOne(high - low);
        return params.unitVariance ? scale / params.normalQuantileRange() : scale;
    }
}
