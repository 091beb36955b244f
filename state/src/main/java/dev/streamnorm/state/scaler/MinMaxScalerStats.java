package dev.streamnorm.state.scaler;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code MinMaxScaler}'s {@code data_min_} and {@code data_max_} per feature.
 *
 * <p>Fitted: {@code data_range_ = data_max_ − data_min_}, {@code scale_ = (max − min) /
 * data_range_} (a range below 10·eps counts as 1), {@code min_ = min − data_min_·scale_}, where
 * (min, max) is the feature range.
 *
 * <p>Forgetting with weight m (online mode): each bound relaxes towards the new value unless the
 * value lies beyond it, {@code data_min_ = min(x, data_min_ + m·(x − data_min_))} and {@code
 * data_max_ = max(x, data_max_ + m·(x − data_max_))}, so an extreme seen k records ago weighs (1 −
 * m)^k.
 */
public final class MinMaxScalerStats extends ScalerStats {
    private final double[] min;
    private final double[] max;

    MinMaxScalerStats(int features) {
        checkArgument(features > 0, "features must be positive, got %s", features);
        this.min = new double[features];
        this.max = new double[features];
    }

    /**
     * Statistics of {@code count} records with these bounds (copied).
     *
     * @throws IllegalArgumentException on lengths that differ, a minimum above its maximum
     */
    public static MinMaxScalerStats of(long count, double[] dataMin, double[] dataMax) {
        checkArgument(count >= 0, "n_samples_seen_ must not be negative, got %s", count);
        checkArgument(
                dataMin.length == dataMax.length,
                "data_min_ has %s values, data_max_ %s",
                dataMin.length,
                dataMax.length);
        for (int i = 0; i < dataMin.length; i++) {
            checkArgument(
                    dataMin[i] <= dataMax[i],
                    "data_min_[%s] = %s is above data_max_[%s] = %s",
                    i,
                    dataMin[i],
                    i,
                    dataMax[i]);
        }
        MinMaxScalerStats stats = new MinMaxScalerStats(dataMin.length);
        System.arraycopy(dataMin, 0, stats.min, 0, dataMin.length);
        System.arraycopy(dataMax, 0, stats.max, 0, dataMax.length);
        stats.count = count;
        return stats;
    }

    @Override
    public ScalerKind kind() {
        return ScalerKind.MINMAX;
    }

    @Override
    public int features() {
        return min.length;
    }

    public double dataMin(int i) {
        return min[i];
    }

    public double dataMax(int i) {
        return max[i];
    }

    @Override
    public void accept(double[] x) {
        checkFeatures(x);
        if (count++ == 0) {
            System.arraycopy(x, 0, min, 0, x.length);
            System.arraycopy(x, 0, max, 0, x.length);
            return;
        }
        for (int i = 0; i < x.length; i++) {
            min[i] = Math.min(min[i], x[i]);
            max[i] = Math.max(max[i], x[i]);
        }
    }

    @Override
    public void acceptForgetting(double[] x, double m) {
        if (count == 0) {
            accept(x);
            return;
        }
        checkFeatures(x);
        count++;
        for (int i = 0; i < x.length; i++) {
            min[i] = Math.min(x[i], min[i] + m * (x[i] - min[i]));
            max[i] = Math.max(x[i], max[i] + m * (x[i] - max[i]));
        }
    }

    @Override
    public FittedScaler fit(ScalerParams params) {
        double[] scale = new double[min.length];
        double[] shift = new double[min.length];
        fitted(params, scale, shift);
        return FittedScaler.scaleThenShift(
                scale, shift, params.clip, params.rangeMin, params.rangeMax);
    }

    private void fitted(ScalerParams params, double[] scale, double[] shift) {
        double width = params.rangeMax - params.rangeMin;
        for (int i = 0; i < min.length; i++) {
            scale[i] = width / ZeroScale.orOne(max[i] - min[i]);
            shift[i] = params.rangeMin - min[i] * scale[i];
        }
    }

    @Override
    public Map<String, double[]> attributes(ScalerParams params) {
        double[] range = new double[min.length];
        for (int i = 0; i < range.length; i++) {
            range[i] = max[i] - min[i];
        }
        double[] scale = new double[min.length];
        double[] shift = new double[min.length];
        fitted(params, scale, shift);
        Map<String, double[]> attributes = new LinkedHashMap<>();
        attributes.put("data_min_", min.clone());
        attributes.put("data_max_", max.clone());
        attributes.put("data_range_", range);
        attributes.put("min_", shift);
        attributes.put("scale_", scale);
        return attributes;
    }

    @Override
    public MinMaxScalerStats copy() {
        return of(count, min, max);
    }

    @Override
    Object[] contents() {
        return new Object[] {min, max};
    }
}
