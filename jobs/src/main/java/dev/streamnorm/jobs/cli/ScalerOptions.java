package dev.streamnorm.jobs.cli;

import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.ScalerStatsFile;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import java.nio.file.Path;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/**
 * The scikit-learn parameters of the scaler norms on the command line (DESIGN §7). An option left
 * out keeps the stats file's value, else scikit-learn's default; an option for another norm is an
 * error.
 */
final class ScalerOptions {
    @Option(
            names = "--feature-range",
            paramLabel = "MIN,MAX",
            description = "minmax: the output range (default: 0,1)")
    String featureRange;

    @Option(names = "--clip", description = "minmax: clip the output to the feature range")
    Boolean clip;

    @Option(names = "--no-with-mean", description = "standard: do not centre on the mean")
    Boolean noWithMean;

    @Option(names = "--no-with-std", description = "standard: do not divide by the std")
    Boolean noWithStd;

    @Option(
            names = "--quantile-range",
            paramLabel = "Q1,Q3",
            description = "robust: the percentiles of the scale (default: 25,75)")
    String quantileRange;

    @Option(names = "--no-with-centering", description = "robust: do not centre on the median")
    Boolean noWithCentering;

    @Option(names = "--no-with-scaling", description = "robust: do not divide by the range")
    Boolean noWithScaling;

    @Option(
            names = "--robust-exact",
            description =
                    "robust, train: keep every value for exact quantiles (bounded input) instead"
                            + " of a sketch")
    Boolean robustExact;

    @Option(
            names = "--unit-variance",
            description = "robust: scale so that normal data has variance 1")
    Boolean unitVariance;

    /** The norm when {@code --norm} is not given: a scaler's stats file names it, else batch. */
    static Norm normOfStats(@Nullable Path stats) {
        if (stats == null || !ScalerStatsFile.isScalerFile(stats)) {
            return Norm.BATCH;
        }
        return Norm.valueOf(ScalerStatsFile.read(stats).kind.name());
    }

    /**
     * Sets the scaler parameters on {@code builder} and, for a scaler norm with {@code stats}, the
     * file's fitted scalers; returns that file's shape (null: none).
     *
     * @throws IllegalArgumentException on a bad option or file
     */
    @Nullable
    RecordShape configure(NormalizationBuilder builder, Norm norm, @Nullable Path stats) {
        ScalerStatsFile file =
                norm.isScaler() && stats != null ? ScalerStatsFile.read(stats) : null;
        builder.setScalerParams(
                resolve(norm, file != null ? file.params : ScalerParams.defaults()));
        builder.setRobustExact(robustExact != null);
        if (file == null) {
            return null;
        }
        builder.setScalerTable(file.table);
        return file.shape;
    }

    /**
     * The parameters of {@code norm}: {@code base} (a stats file's, or the defaults) with the
     * options given here.
     *
     * @throws IllegalArgumentException on an option of another norm or a bad value
     */
    ScalerParams resolve(Norm norm, ScalerParams base) {
        ScalerKind kind = norm.isScaler() ? norm.scalerKind() : null;
        only(
                kind,
                ScalerKind.MINMAX,
                featureRange != null || clip != null,
                "--feature-range/--clip");
        only(
                kind,
                ScalerKind.STANDARD,
                noWithMean != null || noWithStd != null,
                "--no-with-mean/--no-with-std");
        only(
                kind,
                ScalerKind.ROBUST,
                quantileRange != null
                        || robustExact != null
                        || noWithCentering != null
                        || noWithScaling != null
                        || unitVariance != null,
                "--quantile-range/--no-with-centering/--no-with-scaling/--unit-variance/--robust-exact");
        double[] range = pair(featureRange, "--feature-range", base.rangeMin, base.rangeMax);
        double[] quantiles =
                pair(quantileRange, "--quantile-range", base.quantileLow, base.quantileHigh);
        return base.withStandard(
                        noWithMean != null ? false : base.withMean,
                        noWithStd != null ? false : base.withStd)
                .withMinMax(range[0], range[1], clip != null || base.clip)
                .withRobust(
                        noWithCentering != null ? false : base.withCentering,
                        noWithScaling != null ? false : base.withScaling,
                        quantiles[0],
                        quantiles[1],
                        unitVariance != null || base.unitVariance);
    }

    private static void only(
            @Nullable ScalerKind kind, ScalerKind owner, boolean given, String options) {
        if (given && kind != owner) {
            throw new IllegalArgumentException(
                    options + " apply to --norm " + owner.id() + " only");
        }
    }

    /** {@code MIN,MAX} as two numbers, or the defaults when not given. */
    private static double[] pair(
            @Nullable String text, String option, double first, double second) {
        if (text == null) {
            return new double[] {first, second};
        }
        String[] parts = text.split(",", -1);
        try {
            if (parts.length == 2) {
                return new double[] {
                    Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())
                };
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be two numbers A,B, got '" + text + "'");
    }
}
