package dev.streamnorm.sql;

import static dev.streamnorm.sql.NormSignature.AFFINE;
import static dev.streamnorm.sql.NormSignature.BATCH_INTERVAL;
import static dev.streamnorm.sql.NormSignature.BATCH_SIZE;
import static dev.streamnorm.sql.NormSignature.BATCH_TIMEOUT;
import static dev.streamnorm.sql.NormSignature.CONVENTION;
import static dev.streamnorm.sql.NormSignature.EPS;
import static dev.streamnorm.sql.NormSignature.GROUPS;
import static dev.streamnorm.sql.NormSignature.MODE;
import static dev.streamnorm.sql.NormSignature.MOMENTUM;
import static dev.streamnorm.sql.NormSignature.SHAPE;
import static dev.streamnorm.sql.NormSignature.STATS;

import dev.streamnorm.operators.Convention;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.state.RecordShape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@link Normalization} that a call of a normalization function asks for, checked against its
 * feature columns and time column; {@link NormalizationBuilder}'s messages use the SQL argument
 * names.
 */
final class CallNormalization {
    private static final Pattern OPTION = Pattern.compile("--([a-z]+(?:-[a-z]+)*)");

    private CallNormalization() {}

    /**
     * The normalization of a call of {@code norm}'s function: its arguments with the stats and
     * affine files they name, read here.
     *
     * @param eventTime whether the call has an {@code on_time} column (mini-batches may then close
     *     by event time)
     * @param statsFromSavepoint whether the job restores state (eval mode may then go without a
     *     stats file)
     * @throws IllegalArgumentException with a message naming the argument at fault
     */
    static Normalization of(
            Norm norm,
            CallArguments args,
            FeatureColumns features,
            boolean eventTime,
            boolean statsFromSavepoint) {
        String statsPath = args.string(STATS);
        StatsFile stats =
                statsPath == null
                        ? null
                        : args.parse(STATS, () -> StatsFile.read(Path.of(statsPath)));
        String affinePath = args.string(AFFINE);
        String shapeText = args.string(SHAPE);
        RecordShape shape =
                shapeText != null
                        ? args.parse(SHAPE, () -> RecordShape.parse(shapeText))
                        : stats != null ? stats.shape : null;
        int columnChannels = features.columnChannels();
        if (columnChannels > 0) {
            if (shape != null && !shape.equals(RecordShape.vector(columnChannels))) {
                throw new IllegalArgumentException(
                        "argument 'shape' is "
                                + shape
                                + " but 'features' names "
                                + columnChannels
                                + " columns, one channel each");
            }
            shape = RecordShape.vector(columnChannels);
        }
        Integer groups = args.value(GROUPS, Integer.class);
        if (groups != null && norm != Norm.GROUP) {
            throw new IllegalArgumentException("argument 'groups' applies to GROUP_NORM only");
        }
        if (groups == null && norm == Norm.GROUP) {
            throw new IllegalArgumentException("argument 'groups' is required");
        }
        Double eps = args.value(EPS, Double.class);
        NormalizationBuilder builder =
                Normalization.builder()
                        .setNorm(norm)
                        .setShape(shape)
                        .setEps(eps != null ? eps : stats != null ? stats.eps : null)
                        .setGroups(groups)
                        .setStatsFromSavepoint(statsFromSavepoint);
        if (affinePath != null) {
            builder.setAffine(args.parse(AFFINE, () -> StatsFile.readAffine(Path.of(affinePath))));
        } else if (stats != null && !stats.affine.isIdentity()) {
            builder.setAffine(stats.affine);
        }
        if (norm == Norm.BATCH) {
            batchOptions(builder, args, eventTime);
            if ("eval".equalsIgnoreCase(args.string(MODE))
                    && stats == null
                    && !statsFromSavepoint) {
                throw new IllegalArgumentException(
                        "argument 'stats' is required in eval mode (a stats file or PyTorch"
                                + " state_dict), unless the job restores a savepoint with the"
                                + " stats of a train job");
            }
            if (stats != null) {
                builder.setInitialStats(stats.stats);
            }
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(sqlNames(e.getMessage()), e);
        }
    }

    private static void batchOptions(
            NormalizationBuilder builder, CallArguments args, boolean eventTime) {
        String mode = args.string(MODE);
        if (mode != null) {
            builder.setMode(args.choice(MODE, Mode.class, mode));
        }
        String convention = args.string(CONVENTION);
        if (convention != null) {
            builder.setConvention(args.choice(CONVENTION, Convention.class, convention));
        }
        String momentum = args.string(MOMENTUM);
        if (momentum != null) {
            builder.setMomentum(args.parse(MOMENTUM, () -> Momentum.parse(momentum)));
        }
        Integer batchSize = args.value(BATCH_SIZE, Integer.class);
        if (batchSize != null) {
            builder.setBatchSize(batchSize);
        }
        Duration interval = args.duration(BATCH_INTERVAL);
        if (interval != null) {
            if (!eventTime) {
                throw new IllegalArgumentException(
                        "argument 'batch_interval' batches by event time: it needs on_time =>"
                                + " DESCRIPTOR(time_column)");
            }
            builder.setBatchInterval(interval);
        }
        Duration timeout = args.duration(BATCH_TIMEOUT);
        if (timeout != null) {
            if (!eventTime && !timeout.isZero()) {
                throw new IllegalArgumentException(
                        "argument 'batch_timeout' counts in event time in SQL: it needs on_time =>"
                                + " DESCRIPTOR(time_column), or 0 to wait for the end of input");
            }
            builder.setBatchTimeout(timeout);
        } else if (!eventTime) {
            builder.setBatchTimeout(Duration.ZERO);
        }
    }

    /** A message of {@link NormalizationBuilder#build()} with SQL's argument names. */
    static String sqlNames(String message) {
        Matcher m = OPTION.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, "argument '" + m.group(1).replace('-', '_') + "'");
        }
        m.appendTail(out);
        return out.toString()
                .replace("batch-size", "argument 'batch_size'")
                .replace("batch-interval", "argument 'batch_interval'")
                .replace("batch-timeout", "argument 'batch_timeout'")
                .replaceFirst("^eps must", "argument 'eps' must");
    }
}
