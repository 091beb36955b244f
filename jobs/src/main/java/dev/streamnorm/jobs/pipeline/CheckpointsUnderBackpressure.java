package dev.streamnorm.jobs.pipeline;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * How checkpoints get through when the output is slower than the input (README "Overload").
 *
 * <p>Under backpressure the network buffers between the operators are full, and an aligned
 * checkpoint barrier waits behind all of them. Two Flink mechanisms shorten that wait:
 *
 * <ul>
 *   <li><b>unaligned checkpoints</b>: a barrier that has waited longer than the aligned-checkpoint
 *       timeout overtakes the buffered records, which are stored in the checkpoint instead; without
 *       backpressure checkpoints stay aligned and store no records;
 *   <li><b>buffer debloating</b>: each task shrinks its in-flight buffers to what it processes in
 *       about a second, so there is less to wait behind and less memory in flight. It is a
 *       TaskManager setting: it applies to the Flink that a local run starts; on a cluster set
 *       {@code taskmanager.network.memory.buffer-debloat.enabled} in its configuration.
 * </ul>
 */
public final class CheckpointsUnderBackpressure implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The default aligned-checkpoint timeout: past it a checkpoint continues unaligned. */
    public static final Duration DEFAULT_ALIGNED_TIMEOUT = Duration.ofSeconds(1);

    /** Both mechanisms on, unaligned after {@link #DEFAULT_ALIGNED_TIMEOUT}. */
    public static final CheckpointsUnderBackpressure DEFAULT =
            new CheckpointsUnderBackpressure(true, DEFAULT_ALIGNED_TIMEOUT, true);

    public final boolean unaligned;
    public final Duration alignedTimeout;
    public final boolean bufferDebloat;

    public CheckpointsUnderBackpressure(
            boolean unaligned, Duration alignedTimeout, boolean bufferDebloat) {
        checkNotNull(alignedTimeout, "alignedTimeout");
        checkArgument(
                !alignedTimeout.isNegative(),
                "--aligned-checkpoint-timeout must not be negative, got %s",
                alignedTimeout);
        this.unaligned = unaligned;
        this.alignedTimeout = alignedTimeout;
        this.bufferDebloat = bufferDebloat;
    }

    /** Sets these choices in a job's (or a local run's) Flink configuration. */
    void applyTo(Configuration conf) {
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, unaligned);
        if (unaligned) {
            conf.set(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, alignedTimeout);
        }
        conf.set(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED, bufferDebloat);
    }
}
