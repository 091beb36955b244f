package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.codec.RecordLimits;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code --max-record-bytes}: its default, its value in the job, and bad values. */
class MaxRecordBytesOptionTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static RunCommand parse(String... options) {
        RunCommand command = new RunCommand();
        String[] args = new String[options.length + 4];
        args[0] = "--input";
        args[1] = "kafka://127.0.0.1:9092/in";
        args[2] = "--output";
        args[3] = "stdout";
        System.arraycopy(options, 0, args, 4, options.length);
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void theDefaultIsKafkasDefaultMaxMessageSize() {
        assertThat(parse().jobConfig().maxRecordBytes())
                .isEqualTo(RecordLimits.DEFAULT_MAX_RECORD_BYTES)
                .isEqualTo(1_048_576);
    }

    @Test
    void theOptionSetsTheLimitOfTheJob() {
        assertThat(parse("--max-record-bytes", "4096").jobConfig().maxRecordBytes())
                .isEqualTo(4096);
        assertThat(parse("--max-record-bytes", "1").jobConfig().maxRecordBytes()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0 | --max-record-bytes must be positive, got 0",
                "-1 | --max-record-bytes must be positive, got -1",
                "lots | 'lots' is not an int",
                "3000000000 | '3000000000' is not an int",
            })
    void aBadValueIsOneLineAndExitCodeTwo(String value, String message) {
        int code =
                StreamnormCli.execute(
                        new String[] {
                            "run",
                            "--input",
                            "in.jsonl",
                            "--output",
                            "stdout",
                            "--max-record-bytes",
                            value.trim()
                        },
                        new PrintWriter(out),
                        new PrintWriter(err));

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(message.trim()).contains("--max-record-bytes");
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }
}
