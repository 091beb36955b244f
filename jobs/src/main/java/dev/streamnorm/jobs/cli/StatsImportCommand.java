package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.LocalPath;
import dev.streamnorm.jobs.stats.SavepointScalerStats;
import dev.streamnorm.jobs.stats.SavepointStats;
import dev.streamnorm.operators.ScalerStatsFile;
import dev.streamnorm.operators.StatsFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamnorm stats import}: a stats file (or PyTorch state_dict) to a new savepoint. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Writes a stats file, or a PyTorch BatchNorm state_dict dumped as JSON, as a new"
                    + " savepoint that a job starts from with --from-savepoint (for example an"
                    + " eval job serving stats trained elsewhere).",
            "Per-key entries become keyed state; '*' and the layer settings become the"
                    + " operator's union state."
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:written",
            "1:the savepoint could not be written",
            "2:bad options or file"
        })
final class StatsImportCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Stats file")
    Path in;

    @Option(
            names = "--savepoint-out",
            required = true,
            paramLabel = "PATH",
            description = "Directory of the new savepoint (must not exist)")
    String savepointOut;

    @Mixin StatsCommand.UidOption operator = new StatsCommand.UidOption();

    @Option(
            names = "--max-parallelism",
            paramLabel = "N",
            defaultValue = "128",
            description =
                    "Maximum parallelism of the job that starts from it (default:"
                            + " ${DEFAULT-VALUE}, Flink's default for small jobs)")
    int maxParallelism;

    @Override
    public Integer call() {
        StatsFile file;
        try {
            if (maxParallelism < 1 || maxParallelism > 32768) {
                throw new IllegalArgumentException(
                        "--max-parallelism must be in [1, 32768], got " + maxParallelism);
            }
            if (StatsCommand.isSavepoint(savepointOut)) {
                throw new IllegalArgumentException(savepointOut + ": a savepoint exists there");
            }
            if (ScalerStatsFile.isScalerFile(in)) {
                return importScalers(ScalerStatsFile.read(in));
            }
            file = StatsFile.read(in);
            file.settings();
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        }
        try {
            SavepointStats.write(
                    file, LocalPath.flinkUri(savepointOut), operator.uid, maxParallelism);
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot write " + savepointOut, e);
        }
        spec.commandLine()
                .getOut()
                .println(
                        "wrote "
                                + file.stats.keys().size()
                                + " entries to savepoint "
                                + savepointOut);
        return ExitCodes.OK;
    }

    private int importScalers(ScalerStatsFile file) {
        try {
            SavepointScalerStats.write(
                    file, LocalPath.flinkUri(savepointOut), operator.uid, maxParallelism);
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot write " + savepointOut, e);
        }
        spec.commandLine()
                .getOut()
                .println(
                        "wrote "
                                + file.table.keys().size()
                                + " "
                                + file.kind.id()
                                + " entries to savepoint "
                                + savepointOut);
        return ExitCodes.OK;
    }
}
