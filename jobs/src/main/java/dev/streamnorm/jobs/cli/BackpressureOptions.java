package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.pipeline.CheckpointsUnderBackpressure;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How checkpoints get through backpressure, on the command line (README "Overload"). */
final class BackpressureOptions {
    @Option(
            names = "--no-unaligned-checkpoints",
            description =
                    "Keep every checkpoint aligned, even when backpressure holds its barriers back")
    boolean noUnalignedCheckpoints;

    @Option(
            names = "--aligned-checkpoint-timeout",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description =
                    "A checkpoint whose barriers wait longer than this behind buffered records"
                            + " continues unaligned (default: ${DEFAULT-VALUE})")
    Duration alignedCheckpointTimeout;

    @Option(
            names = "--no-buffer-debloat",
            description =
                    "Local runs: keep Flink's fixed network buffers instead of sizing them to about"
                            + " 1s of throughput")
    boolean noBufferDebloat;

    /** The choices these options make. */
    CheckpointsUnderBackpressure settings() {
        return new CheckpointsUnderBackpressure(
                !noUnalignedCheckpoints, alignedCheckpointTimeout, !noBufferDebloat);
    }
}
