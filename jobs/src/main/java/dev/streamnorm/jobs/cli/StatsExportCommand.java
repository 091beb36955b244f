package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.LocalPath;
import dev.streamnorm.jobs.stats.SavepointScalerStats;
import dev.streamnorm.jobs.stats.SavepointStats;
import dev.streamnorm.jobs.stats.SqlSavepointStats;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.ScalerStatsFile;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamnorm stats export}: a savepoint's running stats to a stats file. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Writes the running stats (per key, '*' and the layer settings) that a savepoint"
                        + " or retained checkpoint holds to a stats file.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:written",
            "1:the savepoint could not be read",
            "2:bad options, or no such savepoint or operator"
        })
final class StatsExportCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--savepoint",
            required = true,
            paramLabel = "PATH",
            description = "Savepoint or retained checkpoint directory")
    String savepoint;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Stats file")
    Path out;

    @Mixin StatsCommand.SavepointOptions options = new StatsCommand.SavepointOptions();

    @Option(
            names = "--sklearn",
            paramLabel = "KEY",
            description =
                    "Scaler stats: write key KEY as a dumped scikit-learn scaler (README) instead"
                            + " of a stats file")
    String sklearnKey;

    @Option(
            names = "--sql-key",
            paramLabel = "TYPES",
            description =
                    "The savepoint is of a SQL job: export the running stats of its BATCH_NORM"
                            + " call (--uid: the call's uid), whose PARTITION BY columns have these"
                            + " SQL types, e.g. 'STRING' or 'STRING, INT'")
    String sqlKeyTypes;

    /** The scaler's parameters, which a savepoint does not hold: the job's options. */
    @Mixin ScalerOptions scalerOptions = new ScalerOptions();

    @Override
    public Integer call() {
        StatsFile file;
        try {
            if (!StatsCommand.isSavepoint(savepoint)) {
                return ExitCodes.usageError(spec, savepoint + ": not a savepoint (no _metadata)");
            }
            if (sqlKeyTypes != null) {
                return write(
                        SqlSavepointStats.read(
                                LocalPath.flinkUri(savepoint),
                                options.operator.uid,
                                sqlKeyTypes,
                                options.backend()));
            }
            Map<String, ScalerStats> scalers =
                    SavepointScalerStats.read(
                            LocalPath.flinkUri(savepoint), options.operator.uid, options.backend());
            if (!scalers.isEmpty()) {
                return exportScalers(scalers);
            }
            if (sklearnKey != null) {
                return ExitCodes.usageError(spec, "--sklearn applies to the stats of a scaler");
            }
            file =
                    SavepointStats.read(
                            LocalPath.flinkUri(savepoint), options.operator.uid, options.backend());
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot read " + savepoint, e);
        }
        return write(file);
    }

    private int write(StatsFile file) {
        try {
            file.write(out, file.stats.keys());
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot write " + out, e);
        }
        spec.commandLine()
                .getOut()
                .println("wrote " + file.stats.keys().size() + " entries to " + out);
        return ExitCodes.OK;
    }

    private int exportScalers(Map<String, ScalerStats> scalers) {
        ScalerStatsFile file;
        try {
            Norm norm = Norm.valueOf(scalers.values().iterator().next().kind().name());
            file =
                    SavepointScalerStats.file(
                            scalers, scalerOptions.resolve(norm, ScalerParams.defaults()));
            if (sklearnKey != null) {
                file.sklearn(sklearnKey);
            }
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        }
        try {
            if (sklearnKey != null) {
                file.writeSklearn(sklearnKey, out);
            } else {
                file.write(out, file.table.keys());
            }
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot write " + out, e);
        }
        spec.commandLine()
                .getOut()
                .println(
                        "wrote "
                                + (sklearnKey != null
                                        ? "key '" + sklearnKey + "' as a scikit-learn scaler"
                                        : file.table.keys().size() + " entries")
                                + " to "
                                + out);
        return ExitCodes.OK;
    }
}
