package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.LocalPath;
import dev.streamnorm.jobs.stats.SavepointScalerStats;
import dev.streamnorm.jobs.stats.SavepointStats;
import dev.streamnorm.jobs.stats.StatsReport;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.ScalerStatsFile;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.annotation.Nullable;
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

    @Mixin ScalerOptions scalerOptions = new ScalerOptions();

    @Override
    public Integer call() {
        StatsFile file;
        try {
            ScalerStatsFile scalers = scalerStats();
            if (scalers != null) {
                for (String key : keys) {
                    if (scalers.table.lookupExact(key) == null) {
                        return ExitCodes.usageError(
                                spec, path + ": no stats for key '" + key + "'");
                    }
                }
                scalers.print(
                        keys.isEmpty() ? scalers.table.keys() : keys, spec.commandLine().getOut());
                return ExitCodes.OK;
            }
            file =
                    StatsCommand.isSavepoint(path)
                            ? SavepointStats.read(
                                    LocalPath.flinkUri(path),
                                    options.operator.uid,
                                    options.backend())
                            : StatsFile.read(LocalPath.parse(path));
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

    /** The scaler stats at {@code path}, or null when it holds batch-norm stats. */
    @Nullable
    private ScalerStatsFile scalerStats() throws Exception {
        if (!StatsCommand.isSavepoint(path)) {
            Path file = LocalPath.parse(path);
            return ScalerStatsFile.isScalerFile(file) ? ScalerStatsFile.read(file) : null;
        }
        Map<String, ScalerStats> stats =
                SavepointScalerStats.read(
                        LocalPath.flinkUri(path), options.operator.uid, options.backend());
        if (stats.isEmpty()) {
            return null;
        }
        Norm norm = Norm.valueOf(stats.values().iterator().next().kind().name());
        return SavepointScalerStats.file(
                stats, scalerOptions.resolve(norm, ScalerParams.defaults()));
    }
}
