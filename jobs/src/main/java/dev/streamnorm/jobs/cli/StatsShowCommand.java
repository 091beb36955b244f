package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.stats.SavepointStats;
import dev.streamnorm.jobs.stats.StatsReport;
import dev.streamnorm.operators.StatsFile;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code streamnorm stats show}: a readable per-key, per-feature table. */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Prints the layer settings and a per-key, per-feature table of the running stats"
                        + " of a savepoint (a directory with _metadata) or a stats file.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:printed", "1:the savepoint could not be read", "2:bad options or file"})
final class StatsShowCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PATH", description = "Savepoint directory or stats file")
    String path;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description = "Only this key (repeatable; '*' is the fallback entry)")
    Set<String> keys = new LinkedHashSet<>();

    @Mixin StatsCommand.SavepointOptions options = new StatsCommand.SavepointOptions();

    @Override
    public Integer call() {
        StatsFile file;
        try {
            file =
                    StatsCommand.isSavepoint(path)
                            ? SavepointStats.read(path, options.operator.uid, options.backend())
                            : StatsFile.read(Paths.get(path));
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot read " + path, e);
        }
        for (String key : keys) {
            if (!file.stats.keys().contains(key)) {
                return ExitCodes.usageError(spec, path + ": no stats for key '" + key + "'");
            }
        }
        StatsReport.print(
                file, keys.isEmpty() ? file.stats.keys() : keys, spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
