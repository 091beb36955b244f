package dev.streamnorm.jobs;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An independent reference of scikit-learn's scalers: two-pass, over all records so far. */
final class SklearnScalerReference {
    private SklearnScalerReference() {}

    private static final double EPS = Math.ulp(1.0);

    static String sklearnName(String norm) {
        switch (norm) {
            case "standard":
                return "StandardScaler";
            case "minmax":
                return "MinMaxScaler";
            case "maxabs":
                return "MaxAbsScaler";
            default:
                return "RobustScaler";
        }
    }

    static double[] transform(String norm, List<double[]> rows, double[] x) {
        return apply(norm, attributes(norm, rows), x);
    }

    static double[] apply(String norm, Map<String, double[]> a, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            switch (norm) {
                case "standard":
                    y[i] = (x[i] - a.get("mean_")[i]) / a.get("scale_")[i];
                    break;
                case "minmax":
                    y[i] = x[i] * a.get("scale_")[i] + a.get("min_")[i];
                    break;
                case "maxabs":
                    y[i] = x[i] / a.get("scale_")[i];
                    break;
                default:
                    y[i] = (x[i] - a.get("center_")[i]) / a.get("scale_")[i];
            }
        }
        return y;
    }

    static Map<String, double[]> attributes(String norm, List<double[]> rows) {
        int f = rows.get(0).length;
        int n = rows.size();
        Map<String, double[]> a = new LinkedHashMap<>();
        double[] scale = new double[f];
        switch (norm) {
            case "standard":
                double[] mean = new double[f];
                double[] var = new double[f];
                for (int i = 0; i < f; i++) {
                    // exact sums, rounded once
                    BigDecimal sum = BigDecimal.ZERO;
                    for (double[] r : rows) {
                        sum = sum.add(new BigDecimal(r[i]));
                    }
                    BigDecimal exactMean =
                            sum.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128);
                    BigDecimal ss = BigDecimal.ZERO;
                    for (double[] r : rows) {
                        BigDecimal d = new BigDecimal(r[i]).subtract(exactMean);
                        ss = ss.add(d.multiply(d));
                    }
                    mean[i] = exactMean.doubleValue();
                    var[i] = ss.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128).doubleValue();
                    double bound = n * EPS * var[i] + Math.pow(n * mean[i] * EPS, 2);
                    scale[i] = var[i] <= bound ? 1 : Math.sqrt(var[i]);
                }
                a.put("mean_", mean);
                a.put("var_", var);
                break;
            case "minmax":
                double[] lo = new double[f];
                double[] hi = new double[f];
                double[] min = new double[f];
                for (int i = 0; i < f; i++) {
                    lo[i] = Double.POSITIVE_INFINITY;
                    hi[i] = Double.NEGATIVE_INFINITY;
                    for (double[] r : rows) {
                        lo[i] = Math.min(lo[i], r[i]);
                        hi[i] = Math.max(hi[i], r[i]);
                    }
                    double range = hi[i] - lo[i];
                    scale[i] = 2 / (range < 10 * EPS ? 1 : range);
                    min[i] = -1 - lo[i] * scale[i];
                }
                a.put("data_min_", lo);
                a.put("data_max_", hi);
                a.put("min_", min);
                break;
            case "maxabs":
                double[] maxAbs = new double[f];
                for (int i = 0; i < f; i++) {
                    for (double[] r : rows) {
                        maxAbs[i] = Math.max(maxAbs[i], Math.abs(r[i]));
                    }
                    scale[i] = maxAbs[i] < 10 * EPS ? 1 : maxAbs[i];
                }
                a.put("max_abs_", maxAbs);
                break;
            default:
                double[] center = new double[f];
                for (int i = 0; i < f; i++) {
                    double[] column = new double[n];
                    for (int r = 0; r < n; r++) {
                        column[r] = rows.get(r)[i];
                    }
                    Arrays.sort(column);
                    center[i] =
                            n % 2 == 1 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2;
                    double range = percentile(column, 75) - percentile(column, 25);
                    scale[i] = range < 10 * EPS ? 1 : range;
                }
                a.put("center_", center);
        }
        a.put("scale_", scale);
        return a;
    }

    private static double percentile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q / 100;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
