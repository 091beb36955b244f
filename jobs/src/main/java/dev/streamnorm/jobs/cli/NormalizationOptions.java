package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.LocalPath;
import dev.streamnorm.operators.Convention;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.nio.file.Path;
import java.time.Duration;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/**
 * The norm of {@code streamnorm run} on the command line (DESIGN §3): its parameters, mini-batches
 * and the stats files it starts from, aligns to, writes and follows.
 */
final class NormalizationOptions {
    @Option(
            names = "--norm",
            paramLabel = "NORM",
            description =
                    "batch, layer, group, instance, l2, or a scikit-learn scaler: standard,"
                            + " minmax, maxabs, robust (default: the scaler of a scaler's --stats"
                            + " file, else batch)")
    String norm;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            defaultValue = "train",
            description = "train, eval or online (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(
            names = "--shape",
            paramLabel = "C|CxL",
            description = "Record shape; default: learned per key from its first record")
    String shape;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "32",
            description = "Records per mini-batch and key (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
            names = "--batch-interval",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Event-time tumbling mini-batches instead of counts")
    Duration batchInterval;

    @Option(
            names = "--batch-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description =
                    "Close a partial batch after this long; 0 never (default: ${DEFAULT-VALUE})")
    Duration batchTimeout;

    @Option(
            names = "--momentum",
            paramLabel = "M|cumulative",
            description = "Running-stats momentum (default: 0.1 pytorch, 0.99 keras)")
    String momentum;

    @Option(
            names = "--convention",
            paramLabel = "NAME",
            defaultValue = "pytorch",
            description = "pytorch or keras (default: ${DEFAULT-VALUE})")
    String convention;

    @Option(
            names = "--eps",
            paramLabel = "E",
            description = "Added to the variance (default: 1e-5 pytorch, 1e-3 keras)")
    Double eps;

    @Option(names = "--groups", paramLabel = "G", description = "Channel groups of group norm")
    Integer groups;

    @Option(
            names = "--affine",
            paramLabel = "FILE",
            description = "JSON {\"weight\": [...], \"bias\": [...]}")
    Path affine;

    @Option(
            names = "--stats",
            paramLabel = "FILE",
            description = "Stats file or PyTorch state_dict JSON: eval stats, train start")
    Path stats;

    @Option(
            names = "--align-to",
            paramLabel = "FILE[#KEY]",
            description =
                    "After normalizing, re-scale each channel to the mean and std of this stats"
                            + " file's entry KEY (default: '*', or its only entry)")
    String alignTo;

    @Option(
            names = "--stats-out",
            paramLabel = "FILE",
            description = "Write each key's final stats here when a bounded train run ends")
    Path statsOut;

    @Option(
            names = "--stats-updates",
            paramLabel = "URI",
            description =
                    "Eval mode: follow stats files published to kafka://host:port/topic (read from"
                            + " its earliest offset); each applies from its effective time on")
    String statsUpdates;

    @Option(
            names = "--stats-updates-idle",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description =
                    "Once the stats-update topic has been read up to its end offsets at (re)start,"
                            + " a quiet topic holds records back this long at most (default:"
                            + " ${DEFAULT-VALUE})")
    Duration statsUpdatesIdle;

    @Option(
            names = "--emit-stats-version",
            description = "Add \"stats_version\" (the stats that normalized it) to each record")
    boolean emitStatsVersion;

    /**
     * A builder set up by these options and the mixins that complete the norm; the stats, affine
     * and align-to files are read here.
     *
     * @param statsFromSavepoint whether the job resumes from a savepoint (eval mode may then go
     *     without a stats file)
     * @throws IllegalArgumentException on a bad option or file
     */
    NormalizationBuilder builder(
            ScalerOptions scalerOptions,
            StatsScopeOptions statsScope,
            DriftOptions driftOptions,
            boolean statsFromSavepoint) {
        Norm normalizer =
                norm != null
                        ? EnumOption.valueOf(Norm.class, norm, "--norm")
                        : ScalerOptions.normOfStats(stats);
        NormalizationBuilder normalization = Normalization.builder();
        @Nullable
        RecordShape scalerShape = scalerOptions.configure(normalization, normalizer, stats);
        @Nullable
        StatsFile statsFile = stats == null || normalizer.isScaler() ? null : StatsFile.read(stats);
        // An affine given by neither leaves the one of a restored savepoint in place.
        @Nullable
        Affine affineTransform =
                affine != null
                        ? StatsFile.readAffine(affine)
                        : statsFile != null && !statsFile.affine.isIdentity()
                                ? statsFile.affine
                                : null;
        RecordShape recordShape =
                shape != null
                        ? RecordShape.parse(shape)
                        : statsFile != null ? statsFile.shape : scalerShape;
        Double epsilon = eps != null ? eps : statsFile != null ? statsFile.eps : null;
        normalization
                .setNorm(normalizer)
                .setMode(EnumOption.valueOf(Mode.class, mode, "--mode"))
                .setShape(recordShape)
                .setBatchSize(batchSize)
                .setBatchInterval(batchInterval)
                .setBatchTimeout(batchTimeout)
                .setConvention(EnumOption.valueOf(Convention.class, convention, "--convention"))
                .setMomentum(momentum == null ? null : Momentum.parse(momentum))
                .setEps(epsilon)
                .setGroups(groups)
                .setStatsFromSavepoint(statsFromSavepoint)
                .setStateTtl(statsScope.stateTtl)
                .setScope(statsScope.scope())
                .setEmitFinalStats(statsOut != null)
                .setEmitStatsVersion(emitStatsVersion)
                .setDrift(driftOptions.settings());
        if (affineTransform != null) {
            normalization.setAffine(affineTransform);
        }
        if (alignTo != null) {
            normalization.setAlignTo(alignReference(alignTo));
        }
        if (statsFile != null) {
            normalization.setInitialStats(statsFile.stats);
        }
        return normalization;
    }

    /** Where stats updates are published; null: none. */
    @Nullable
    Endpoint statsUpdates() {
        return statsUpdates == null ? null : Endpoint.parse(statsUpdates);
    }

    /** The stats entry that {@code FILE[#KEY]} names: KEY, else '*', else the only entry. */
    static RunningStats alignReference(String spec) {
        int hash = spec.lastIndexOf('#');
        Path file = LocalPath.parse(hash < 0 ? spec : spec.substring(0, hash));
        StatsTable table = StatsFile.read(file).stats;
        String key = hash < 0 ? null : spec.substring(hash + 1);
        if (key == null) {
            if (table.keys().contains(StatsTable.ANY_KEY)) {
                key = StatsTable.ANY_KEY;
            } else if (table.keys().size() == 1) {
                key = table.keys().iterator().next();
            } else {
                throw new IllegalArgumentException(
                        "--align-to: "
                                + file
                                + " has "
                                + table.keys().size()
                                + " entries and no '*': name one as FILE#KEY");
            }
        }
        RunningStats reference = table.lookupExact(key);
        if (reference == null) {
            throw new IllegalArgumentException(
                    "--align-to: " + file + " has no entry '" + key + "'");
        }
        return reference;
    }
}
