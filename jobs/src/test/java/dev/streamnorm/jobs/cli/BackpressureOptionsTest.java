package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.pipeline.NormalizeJob;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The checkpointing choices under backpressure: unaligned checkpoints after a 1 s alignment timeout
 * and buffer debloating by default, each one can be turned off, and a bad timeout is one line.
 */
class BackpressureOptionsTest {
    private static Configuration flinkConfiguration(String... options) {
        RunCommand command = new RunCommand();
        String[] args = new String[options.length + 4];
        args[0] = "--input";
        args[1] = "kafka://127.0.0.1:9092/in";
        args[2] = "--output";
        args[3] = "stdout";
        System.arraycopy(options, 0, args, 4, options.length);
        new CommandLine(command).parseArgs(args);
        return NormalizeJob.flinkConfiguration(command.jobConfig());
    }

    @Test
    void byDefaultCheckpointsTurnUnalignedAfterOneSecondAndBuffersDebloat() {
        Configuration conf = flinkConfiguration();
        assertThat(conf.get(CheckpointingOptions.ENABLE_UNALIGNED)).isTrue();
        assertThat(conf.get(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(conf.get(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED)).isTrue();
    }

    @Test
    void theOptionsChangeTheChoices() {
        assertThat(
                        flinkConfiguration("--aligned-checkpoint-timeout", "0s")
                                .get(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT))
                .isEqualTo(Duration.ZERO);
        Configuration conf =
                flinkConfiguration("--no-unaligned-checkpoints", "--no-buffer-debloat");
        assertThat(conf.get(CheckpointingOptions.ENABLE_UNALIGNED)).isFalse();
        assertThat(conf.get(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED)).isFalse();
    }

    @Test
    void aNegativeTimeoutIsOneLineAndExitCodeTwo() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                StreamnormCli.execute(
                        new String[] {
                            "run",
                            "--input",
                            "in.jsonl",
                            "--output",
                            "stdout",
                            "--aligned-checkpoint-timeout",
                            "-1s"
                        },
                        new PrintWriter(out),
                        new PrintWriter(err));

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--aligned-checkpoint-timeout");
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
