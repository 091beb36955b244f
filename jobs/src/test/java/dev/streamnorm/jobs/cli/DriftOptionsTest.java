package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.DriftSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The drift and metrics options of {@code streamnorm run}. */
class DriftOptionsTest {
    @TempDir Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** The options of an eval run without the command name. */
    private String[] evalOptions(String options) throws Exception {
        String[] run = evalRun(options);
        return Arrays.copyOfRange(run, 1, run.length);
    }

    private String[] evalRun(String options) throws Exception {
        Path stats =
                Files.writeString(
                        tmp.resolve("stats.json"),
                        "{\"running_mean\": [0, 1], \"running_var\": [1, 2]}");
        return ("run --input "
                        + tmp.resolve("in.jsonl").toUri()
                        + " --output stdout --mode eval --stats "
                        + stats
                        + " "
                        + options)
                .trim()
                .split(" ");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--drift-interval 1m | --drift-interval, --drift-momentum, --drift-threshold and --drift-psi need --drift URI",
                "--drift-psi 0.1 | need --drift URI",
                "--drift stdout --drift-momentum 0 | --drift-momentum must be in (0, 1], got 0.0",
                "--drift stdout --drift-momentum 1.5 | --drift-momentum must be in (0, 1], got 1.5",
                "--drift stdout --drift-threshold -1 | --drift-threshold must be a positive number",
                "--drift stdout --drift-psi 0 | --drift-psi must be a positive number",
                "--drift stdout --drift-interval 0s | --drift-interval must be positive",
                "--drift ftp://x/y | use kafka://host:port/topic, file:///path.jsonl (or a plain path) or stdout",
                "--metrics-port 70000 | --metrics-port must be in 1..65535, got 70000",
                "--drift stdout --scope global | --drift applies to batch norm in eval mode with key scope",
            })
    void badDriftOptionsGiveOneLineAndExitTwo(String options, String message) throws Exception {
        int code =
                StreamnormCli.execute(evalRun(options), new PrintWriter(out), new PrintWriter(err));

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(message.trim());
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void driftInTrainModeIsRejected() {
        int code =
                StreamnormCli.execute(
                        new String[] {
                            "run",
                            "--input",
                            "file:///x.jsonl",
                            "--output",
                            "stdout",
                            "--drift",
                            "stdout"
                        },
                        new PrintWriter(out),
                        new PrintWriter(err));
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString())
                .contains("--drift applies to batch norm in eval mode with key scope");
    }

    @Test
    void theOptionsMakeTheDriftSettings() throws Exception {
        RunCommand command = new RunCommand();
        new CommandLine(command)
                .parseArgs(
                        evalOptions(
                                "--drift file:///tmp/drift.jsonl --drift-interval 30s"
                                        + " --drift-momentum 0.05 --drift-psi 0.2"));
        JobConfig config = command.jobConfig();
        assertThat(config.drift.kind()).isEqualTo(Endpoint.Kind.FILE);
        DriftSettings drift = config.normalization.drift();
        assertThat(drift.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(drift.momentum()).isEqualTo(0.05);
        assertThat(drift.threshold()).isEqualTo(DriftSettings.DEFAULT_THRESHOLD);
        assertThat(drift.psi()).isEqualTo(0.2);

        RunCommand off = new RunCommand();
        new CommandLine(off).parseArgs(evalOptions(""));
        assertThat(off.jobConfig().drift).isNull();
        assertThat(off.jobConfig().normalization.drift()).isNull();
    }
}
