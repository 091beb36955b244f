package dev.streamnorm.state.scaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scalers' edge cases against scikit-learn's documented behaviour (its docstring examples, zero
 * range or variance → scale 1, a single record, all-equal values, negative zero, clip, the
 * parameters).
 */
class ScalerStatsTest {
    private static final ScalerParams DEFAULTS = ScalerParams.defaults();

    private static ScalerStats fitted(ScalerKind kind, double[][] rows) {
        ScalerStats stats = ScalerStats.empty(kind, rows[0].length, 300);
        for (double[] row : rows) {
            stats.accept(row);
        }
        return stats;
    }

    private static double[] transform(ScalerStats stats, ScalerParams params, double... x) {
        double[] out = new double[x.length];
        stats.fit(params).transform(x, out);
        return out;
    }

    @Test
    void standardScalerDocstringExample() {
        // StandardScaler docstring: [[0, 0], [0, 0], [1, 1], [1, 1]] -> mean_ [0.5 0.5],
        // transform([[2, 2]]) = [[3. 3.]].
        ScalerStats stats =
                fitted(ScalerKind.STANDARD, new double[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}});
        Map<String, double[]> attributes = stats.attributes(DEFAULTS);
        assertThat(attributes.get("mean_")).containsExactly(0.5, 0.5);
        assertThat(attributes.get("var_")).containsExactly(0.25, 0.25);
        assertThat(attributes.get("scale_")).containsExactly(0.5, 0.5);
        assertThat(stats.count()).isEqualTo(4);
        assertThat(transform(stats, DEFAULTS, 2, 2)).containsExactly(3.0, 3.0);
    }

    @Test
    void standardScalerSingleRecordAndConstantFeaturesHaveScaleOne() {
        ScalerStats one = fitted(ScalerKind.STANDARD, new double[][] {{4.5, -1e9}});
        assertThat(one.attributes(DEFAULTS).get("scale_")).containsExactly(1.0, 1.0);
        assertThat(transform(one, DEFAULTS, 4.5, -1e9)).containsExactly(0.0, 0.0);

        // 0.1 three times: Welford leaves a variance of rounding noise, which is a constant
        // feature to scikit-learn (var <= n*eps*var + (n*mean*eps)^2).
        ScalerStats equal = fitted(ScalerKind.STANDARD, new double[][] {{0.1}, {0.1}, {0.1}});
        assertThat(equal.attributes(DEFAULTS).get("scale_")).containsExactly(1.0);
    }

    @Test
    void standardScalerIsStableOnLargeOffsets() {
        // 1e9 + {1, 2, 3, 4}: E[x^2] - E[x]^2 loses every digit here, Welford does not.
        ScalerStats stats =
                fitted(
                        ScalerKind.STANDARD,
                        new double[][] {{1e9 + 1}, {1e9 + 2}, {1e9 + 3}, {1e9 + 4}});
        assertThat(stats.attributes(DEFAULTS).get("var_")[0]).isCloseTo(1.25, within(1e-6));
        assertThat(stats.attributes(DEFAULTS).get("mean_")[0]).isEqualTo(1e9 + 2.5);
    }

    @Test
    void standardScalerWithoutMeanOrStd() {
        ScalerStats stats = fitted(ScalerKind.STANDARD, new double[][] {{1}, {3}});
        assertThat(transform(stats, DEFAULTS.withStandard(false, true), 3)).containsExactly(3.0);
        assertThat(transform(stats, DEFAULTS.withStandard(true, false), 3)).containsExactly(1.0);
        assertThat(transform(stats, DEFAULTS.withStandard(false, false), -0.0))
                .containsExactly(-0.0);
        assertThat(stats.attributes(DEFAULTS.withStandard(true, false)))
                .doesNotContainKey("scale_");
    }

    @Test
    void minMaxScalerDocstringExampleAndClip() {
        // MinMaxScaler docstring: data_max_ [1. 18.]; transform(data) = 0, .25, .5, 1;
        // transform([[2, 2]]) = [[1.5 0.]].
        ScalerStats stats =
                fitted(ScalerKind.MINMAX, new double[][] {{-1, 2}, {-0.5, 6}, {0, 10}, {1, 18}});
        Map<String, double[]> attributes = stats.attributes(DEFAULTS);
        assertThat(attributes.get("data_max_")).containsExactly(1.0, 18.0);
        assertThat(attributes.get("data_range_")).containsExactly(2.0, 16.0);
        assertThat(transform(stats, DEFAULTS, -0.5, 6)).containsExactly(0.25, 0.25);
        assertThat(transform(stats, DEFAULTS, 2, 2)).containsExactly(1.5, 0.0);
        ScalerParams clipped = DEFAULTS.withMinMax(0, 1, true);
        assertThat(transform(stats, clipped, 2, 2)).containsExactly(1.0, 0.0);
        assertThat(transform(stats, clipped, -7, 100)).containsExactly(0.0, 1.0);
    }

    @Test
    void minMaxScalerFeatureRangeAndZeroRange() {
        ScalerStats stats = fitted(ScalerKind.MINMAX, new double[][] {{0, 5}, {10, 5}});
        ScalerParams range = DEFAULTS.withMinMax(-1, 1, false);
        Map<String, double[]> attributes = stats.attributes(range);
        // zero range: scale_ = (max - min) / 1, min_ = -1 - 5 * 2
        assertThat(attributes.get("scale_")).containsExactly(0.2, 2.0);
        assertThat(attributes.get("min_")).containsExactly(-1.0, -11.0);
        assertThat(transform(stats, range, 5, 5)).containsExactly(0.0, -1.0);
        assertThatThrownBy(() -> DEFAULTS.withMinMax(1, 1, false))
                .hasMessage("feature range must be MIN,MAX with MIN < MAX, got 1.0,1.0");
    }

    @Test
    void maxAbsScalerDocstringExampleAndNegativeZero() {
        // MaxAbsScaler docstring: [[1, -1, 2], [2, 0, 0], [0, 1, -1]] ->
        // [[0.5, -1, 1], [1, 0, 0], [0, 1, -0.5]].
        ScalerStats stats =
                fitted(ScalerKind.MAXABS, new double[][] {{1, -1, 2}, {2, 0, 0}, {0, 1, -1}});
        assertThat(transform(stats, DEFAULTS, 1, -1, 2)).containsExactly(0.5, -1.0, 1.0);
        assertThat(transform(stats, DEFAULTS, 0, 1, -1)).containsExactly(0.0, 1.0, -0.5);
        ScalerStats zeros = fitted(ScalerKind.MAXABS, new double[][] {{-0.0}, {0.0}});
        assertThat(zeros.attributes(DEFAULTS).get("max_abs_")).containsExactly(0.0);
        assertThat(zeros.attributes(DEFAULTS).get("scale_")).containsExactly(1.0);
        assertThat(Double.doubleToRawLongBits(transform(zeros, DEFAULTS, -0.0)[0]))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void robustScalerDocstringExample() {
        // RobustScaler docstring: [[1, -2, 2], [-2, 1, 3], [4, 1, -2]] ->
        // [[0, -2, 0], [-1, 0, 0.4], [1, 0, -1.6]].
        ScalerStats stats =
                fitted(ScalerKind.ROBUST, new double[][] {{1, -2, 2}, {-2, 1, 3}, {4, 1, -2}});
        assertThat(transform(stats, DEFAULTS, 1, -2, 2)).containsExactly(0.0, -2.0, 0.0);
        assertThat(transform(stats, DEFAULTS, -2, 1, 3)).containsExactly(-1.0, 0.0, 0.4);
        assertThat(transform(stats, DEFAULTS, 4, 1, -2)).containsExactly(1.0, 0.0, -1.6);
    }

    @Test
    void robustScalerParameters() {
        ScalerStats stats = fitted(ScalerKind.ROBUST, new double[][] {{1}, {2}, {3}, {4}, {10}});
        // median 3; percentiles 10 and 90 at virtual indexes 0.4 and 3.6: 1.4 and 7.6
        ScalerParams wide = DEFAULTS.withRobust(true, true, 10, 90, false);
        Map<String, double[]> attributes = stats.attributes(wide);
        assertThat(attributes.get("center_")).containsExactly(3.0);
        assertThat(attributes.get("scale_")[0]).isCloseTo(6.2, within(1e-15));
        assertThat(transform(stats, DEFAULTS.withRobust(false, true, 25, 75, false), 4))
                .containsExactly(2.0);
        assertThat(transform(stats, DEFAULTS.withRobust(true, false, 25, 75, false), 4))
                .containsExactly(1.0);
        ScalerParams unit = DEFAULTS.withRobust(true, true, 25, 75, true);
        // scipy: norm.ppf(0.75) - norm.ppf(0.25) = 1.3489795003921634
        assertThat(unit.normalQuantileRange()).isCloseTo(1.3489795003921634, within(4e-16));
        assertThat(stats.attributes(unit).get("scale_")[0])
                .isCloseTo(2 / 1.3489795003921634, within(1e-15));
        assertThatThrownBy(() -> DEFAULTS.withRobust(true, true, 80, 20, false))
                .hasMessage(
                        "quantile range must be Q1,Q3 with 0 <= Q1 <= Q3 <= 100, got 80.0,20.0");
    }

    @Test
    void robustScalerEvenCountAndConstantFeature() {
        ScalerStats stats = fitted(ScalerKind.ROBUST, new double[][] {{5, 1}, {5, 2}});
        Map<String, double[]> attributes = stats.attributes(DEFAULTS);
        assertThat(attributes.get("center_")).containsExactly(5.0, 1.5);
        // percentiles 1.25 and 1.75; the constant feature's range 0 -> 1
        assertThat(attributes.get("scale_")).containsExactly(1.0, 0.5);
    }

    @Test
    void robustSketchStaysWithinItsRankErrorAndMerges() {
        int n = 200_000;
        RobustScalerStats left = (RobustScalerStats) ScalerStats.empty(ScalerKind.ROBUST, 1, 300);
        RobustScalerStats right = (RobustScalerStats) ScalerStats.empty(ScalerKind.ROBUST, 1, 300);
        // a permutation of 0..n-1: the value of rank r is r
        for (long i = 0; i < n; i++) {
            double v = (i * 7919) % n;
            (i % 2 == 0 ? left : right).accept(new double[] {v});
        }
        left.merge(right);
        assertThat(left.isExact()).isFalse();
        assertThat(left.count()).isEqualTo(n);
        double error = RobustScalerStats.rankError(300);
        assertThat(error).isLessThanOrEqualTo(0.01);
        Map<String, double[]> attributes = left.attributes(DEFAULTS);
        assertThat(attributes.get("center_")[0]).isCloseTo(n * 0.5, within(error * n));
        assertThat(attributes.get("scale_")[0]).isCloseTo(n * 0.5, within(2 * error * n));
        RobustScalerStats copy = left.copy();
        assertThat(copy).isEqualTo(left);
        assertThat(copy.attributes(DEFAULTS).get("center_"))
                .containsExactly(attributes.get("center_"));
    }

    @Test
    void robustFittedQuantilesStayWithinOnePercentInRank() {
        RobustScalerStats stats = (RobustScalerStats) ScalerStats.empty(ScalerKind.ROBUST, 2, 400);
        java.util.Random random = new java.util.Random(7);
        int n = 30_000;
        double[] seen = new double[n];
        double worst = 0;
        for (int r = 1; r <= n; r++) {
            seen[r - 1] = random.nextGaussian();
            stats.accept(new double[] {seen[r - 1], r % 3});
            Map<String, double[]> attributes = stats.attributes(DEFAULTS);
            if (stats.isExact()) {
                // exact while the sketch holds every value: the cache gives a fresh computation
                assertThat(attributes.get("center_"))
                        .containsExactly(stats.copy().attributes(DEFAULTS).get("center_"));
            } else if (r % 101 == 0) {
                // the median as a value of the stream: its rank among the values so far
                double[] sorted = java.util.Arrays.copyOf(seen, r);
                java.util.Arrays.sort(sorted);
                double center = attributes.get("center_")[0];
                double rank = (java.util.Arrays.binarySearch(sorted, center) + 0.5) / r;
                worst = Math.max(worst, Math.abs(rank - 0.5));
            }
        }
        assertThat(stats.isExact()).isFalse();
        assertThat(worst).isLessThanOrEqualTo(RobustScalerStats.RANK_ERROR_BOUND);
    }

    @Test
    void exactRobustModeIsNumPysPercentileOnEveryValue() {
        ScalerStats exact = ScalerStats.exactRobust(1);
        java.util.Random random = new java.util.Random(3);
        int n = 5001;
        double[] all = new double[n];
        for (int r = 0; r < n; r++) {
            all[r] = random.nextGaussian();
            exact.accept(new double[] {all[r]});
        }
        java.util.Arrays.sort(all);
        ScalerParams params = DEFAULTS.withRobust(true, true, 10, 90, false);
        Map<String, double[]> attributes = exact.attributes(params);
        assertThat(attributes.get("center_")).containsExactly(all[n / 2]);
        // virtual indexes 500 and 4500: no interpolation
        assertThat(attributes.get("scale_")).containsExactly(all[4500] - all[500]);
        assertThat(exact.copy()).isEqualTo(exact);
    }

    @Test
    void forgettingVariants() {
        ScalerStats standard = ScalerStats.forgetting(ScalerKind.STANDARD, 1, 0.5);
        standard.acceptForgetting(new double[] {2}, 0.5);
        standard.acceptForgetting(new double[] {4}, 0.5);
        // d = 2; mean = 2 + 0.5*2 = 3; var = 0.5 * (0 + 0.5*4) = 1
        assertThat(standard.attributes(DEFAULTS).get("mean_")).containsExactly(3.0);
        assertThat(standard.attributes(DEFAULTS).get("var_")).containsExactly(1.0);

        ScalerStats minmax = ScalerStats.forgetting(ScalerKind.MINMAX, 1, 0.5);
        for (double x : new double[] {0, 10, 6}) {
            minmax.acceptForgetting(new double[] {x}, 0.5);
        }
        // min: 0 -> min(10, 5) = 5 -> min(6, 5.5) = 5.5; max: 0 -> 10 -> max(6, 8) = 8
        assertThat(minmax.attributes(DEFAULTS).get("data_min_")).containsExactly(5.5);
        assertThat(minmax.attributes(DEFAULTS).get("data_max_")).containsExactly(8.0);

        ScalerStats maxabs = ScalerStats.forgetting(ScalerKind.MAXABS, 1, 0.5);
        for (double x : new double[] {-8, 1, 3}) {
            maxabs.acceptForgetting(new double[] {x}, 0.5);
        }
        assertThat(maxabs.attributes(DEFAULTS).get("max_abs_")).containsExactly(3.0);

        ScalerStats robust = ScalerStats.forgetting(ScalerKind.ROBUST, 1, 0.5);
        assertThat(((RobustWindowStats) robust).window()).isEqualTo(3);
        for (double x : new double[] {100, 1, 2, 3}) {
            robust.acceptForgetting(new double[] {x}, 0.5);
        }
        assertThat(robust.attributes(DEFAULTS).get("center_")).containsExactly(2.0);
        assertThat(robust.copy()).isEqualTo(robust);
        assertThat(RobustWindowStats.windowOf(0.01)).isEqualTo(199);
    }

    @Test
    void restoresFromAttributes() {
        ScalerStats stats = fitted(ScalerKind.MINMAX, new double[][] {{1, 2}, {3, -4}});
        ScalerStats restored =
                ScalerStats.restore(ScalerKind.MINMAX, 2, stats.attributes(DEFAULTS), null);
        assertThat(restored).isEqualTo(stats);
        assertThatThrownBy(() -> ScalerStats.restore(ScalerKind.STANDARD, 2, Map.of(), null))
                .hasMessage("\"mean_\" is missing");
        FittedScaler fromSklearn =
                FittedScaler.of(
                        ScalerKind.STANDARD,
                        DEFAULTS,
                        Map.of("mean_", new double[] {1.0}, "scale_", new double[] {0.5}));
        double[] out = new double[1];
        fromSklearn.transform(new double[] {2}, out);
        assertThat(out).containsExactly(2.0);
    }
}
