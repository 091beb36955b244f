package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.stats.SavepointStats;
import dev.streamnorm.operators.StatsFile;
import java.nio.file.Path;
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

    @Override
    public Integer call() {
        StatsFile file;
        try {
            if (!StatsCommand.isSavepoint(savepoint)) {
                return ExitCodes.usageError(spec, savepoint + ": not a savepoint (no _metadata)");
            }
            file = SavepointStats.read(savepoint, options.operator.uid, options.backend());
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot read " + savepoint, e);
        }
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
}
