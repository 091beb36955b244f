package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.conformance.ConformanceRunner;
import dev.streamnorm.jobs.conformance.UnreadableCaseException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code streamnorm conformance PATH...}: replays golden-vector cases. */
@Command(
        name = "conformance",
        mixinStandardHelpOptions = true,
        description = {
            "Runs golden-vector cases (files, or directories searched for *.json cases) through"
                    + " streamnorm's numeric classes.",
            "Prints PASS/FAIL per case and 'N passed, M failed'.",
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:every case passed",
            "1:a case failed",
            "2:a path is missing, unreadable or not in the golden format"
        })
final class ConformanceCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Golden case files or dirs.")
    List<Path> paths;

    @Override
    public Integer call() {
        try {
            ConformanceRunner.Summary summary =
                    ConformanceRunner.run(paths, spec.commandLine().getOut());
            return summary.failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
        } catch (UnreadableCaseException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        }
    }
}
