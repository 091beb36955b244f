package dev.streamnorm.state;

import java.math.BigDecimal;
import java.math.MathContext;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * An independent computation of DESIGN §8 for one key, written straight from the text: decimal
 * arithmetic with 34 significant digits for the moments and the histogram, the bin edges from
 * Apache Commons Statistics' normal quantiles, one feature at a time.
 */
final class DriftReference {
    private static final MathContext MC = MathContext.DECIMAL128;
    private static final NormalDistribution NORMAL = NormalDistribution.of(0, 1);

    private final BigDecimal m;
    private final BigDecimal keep;
    private final BigDecimal[] mean;
    private final BigDecimal[] variance;
    private final BigDecimal[][] p;
    private final double[] servedMean;
    private final double[] servedVariance;
    private long records;

    DriftReference(int channels, double momentum) {
        m = new BigDecimal(momentum);
        keep = BigDecimal.ONE.subtract(m, MC);
        mean = new BigDecimal[channels];
        variance = new BigDecimal[channels];
        p = new BigDecimal[channels][10];
        servedMean = new double[channels];
        servedVariance = new double[channels];
    }

    /** One record of C × L values served by running mean / var and eps. */
    void accept(
            double[] values, int positions, double[] runningMean, double[] runningVar, double eps) {
        for (int c = 0; c < mean.length; c++) {
            servedMean[c] = runningMean[c];
            servedVariance[c] = runningVar[c] + eps;
            for (int l = 0; l < positions; l++) {
                double x = values[c * positions + l];
                int bin = 0;
                for (int k = 1; k <= 9; k++) {
                    double edge =
                            servedMean[c]
                                    + Math.sqrt(servedVariance[c])
                                            * NORMAL.inverseCumulativeProbability(k / 10.0);
                    if (x >= edge) {
                        bin = k;
                    }
                }
                BigDecimal bx = new BigDecimal(x);
                if (records == 0 && l == 0) {
                    mean[c] = bx;
                    variance[c] = BigDecimal.ZERO;
                    for (int k = 0; k < 10; k++) {
                        p[c][k] = k == bin ? BigDecimal.ONE : BigDecimal.ZERO;
                    }
                    continue;
                }
                BigDecimal d = bx.subtract(mean[c], MC);
                mean[c] = mean[c].add(m.multiply(d, MC), MC);
                variance[c] =
                        keep.multiply(variance[c].add(m.multiply(d.multiply(d, MC), MC), MC), MC);
                for (int k = 0; k < 10; k++) {
                    p[c][k] = keep.multiply(p[c][k], MC).add(k == bin ? m : BigDecimal.ZERO, MC);
                }
            }
        }
        records++;
    }

    long records() {
        return records;
    }

    double shift(int c) {
        BigDecimal sd = new BigDecimal(servedVariance[c]).sqrt(MC);
        return mean[c].subtract(new BigDecimal(servedMean[c]), MC).divide(sd, MC).doubleValue();
    }

    double varianceRatio(int c) {
        return variance[c].divide(new BigDecimal(servedVariance[c]), MC).doubleValue();
    }

    double psi(int c) {
        double psi = 0;
        for (int k = 0; k < 10; k++) {
            double pk = p[c][k].doubleValue();
            psi += (pk - 0.1) * Math.log(Math.max(pk, 1e-4) / 0.1);
        }
        return psi;
    }

    double mean(int c) {
        return mean[c].doubleValue();
    }

    double variance(int c) {
        return variance[c].doubleValue();
    }
}
