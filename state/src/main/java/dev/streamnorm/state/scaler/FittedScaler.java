package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * A fitted scaler's {@code transform}, in scikit-learn's order of floating-point operations so that
 * the output is bit for bit scikit-learn's:
 *
 * <ul>
 *   <li>standard, robust: {@code x − center} (if centering), then {@code / scale} (if scaling);
 *   <li>max-abs: {@code x / scale};
 *   <li>min-max: {@code x · scale + min}, then, with {@code clip}, clamped to the feature range.
 * </ul>
 */
public final class FittedScaler implements Serializable {
    private static final long serialVersionUID = 1L;

    @Nullable private final double[] center;
    @Nullable private final double[] scale;
    @Nullable private final double[] min;
    private final boolean clip;
    private final double clipLow;
    private final double clipHigh;

    private FittedScaler(
            @Nullable double[] center,
            @Nullable double[] scale,
            @Nullable double[] min,
            boolean clip,
            double clipLow,
            double clipHigh) {
        this.center = center;
        this.scale = scale;
        this.min = min;
        this.clip = clip;
        this.clipLow = clipLow;
        this.clipHigh = clipHigh;
    }

    /**
     * {@code (x − center) / scale}, either step left out when its array is null (standard, robust,
     * max-abs).
     */
    public static FittedScaler centerThenScale(
            @Nullable double[] center, @Nullable double[] scale) {
        checkArgument(
                center == null || scale == null || center.length == scale.length,
                "center has %s values, scale %s",
                center == null ? 0 : center.length,
                scale == null ? 0 : scale.length);
        return new FittedScaler(center, scale, null, false, 0, 0);
    }

    /** {@code x · scale + min}, clamped to [{@code low}, {@code high}] with {@code clip}. */
    public static FittedScaler scaleThenShift(
            double[] scale, double[] min, boolean clip, double low, double high) {
        checkArgument(
                scale.length == min.length,
                "scale has %s values, min %s",
                scale.length,
                min.length);
        return new FittedScaler(null, null, min, clip, low, high).withMultiplier(scale);
    }

    /**
     * The transform of a fitted scikit-learn scaler from its attributes: {@code mean_} (if {@code
     * with_mean}) and {@code scale_} (if {@code with_std}) of a standard scaler; {@code scale_} and
     * {@code min_} of min-max; {@code scale_} of max-abs; {@code center_} (if {@code
     * with_centering}) and {@code scale_} (if {@code with_scaling}) of robust.
     *
     * @throws IllegalArgumentException naming a missing attribute or a length that differs
     */
    public static FittedScaler of(
            ScalerKind kind, ScalerParams params, Map<String, double[]> attributes) {
        switch (kind) {
            case STANDARD:
                return centerThenScale(
                        params.withMean ? ScalerStats.required(attributes, "mean_") : null,
                        params.withStd ? ScalerStats.required(attributes, "scale_") : null);
            case MINMAX:
                return scaleThenShift(
                        ScalerStats.required(attributes, "scale_"),
                        ScalerStats.required(attributes, "min_"),
                        params.clip,
                        params.rangeMin,
                        params.rangeMax);
            case MAXABS:
                return centerThenScale(null, ScalerStats.required(attributes, "scale_"));
            default:
                return centerThenScale(
                        params.withCentering ? ScalerStats.required(attributes, "center_") : null,
                        params.withScaling ? ScalerStats.required(attributes, "scale_") : null);
        }
    }

    private FittedScaler withMultiplier(double[] multiplier) {
        return new FittedScaler(null, multiplier, min, clip, clipLow, clipHigh);
    }

    /** The number of features, or -1 when neither centering nor scaling (any length fits). */
    public int features() {
        return scale != null ? scale.length : center != null ? center.length : -1;
    }

    /** Transforms {@code x} into {@code out} (which may be {@code x}). */
    public void transform(double[] x, double[] out) {
        if (min != null) {
            for (int i = 0; i < x.length; i++) {
                double y = x[i] * scale[i];
                y += min[i];
                out[i] = clip ? Math.min(Math.max(y, clipLow), clipHigh) : y;
            }
            return;
        }
        for (int i = 0; i < x.length; i++) {
            double y = x[i];
            if (center != null) {
                y -= center[i];
            }
            if (scale != null) {
                y /= scale[i];
            }
            out[i] = y;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FittedScaler)) {
            return false;
        }
        FittedScaler f = (FittedScaler) o;
        return Arrays.equals(center, f.center)
                && Arrays.equals(scale, f.scale)
                && Arrays.equals(min, f.min)
                && clip == f.clip
                && clipLow == f.clipLow
                && clipHigh == f.clipHigh;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(scale);
    }
}
