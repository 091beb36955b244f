package dev.streamnorm.jobs.pipeline;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.streamnorm.jobs.codec.RecordLimits;
import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.Scope;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import javax.annotation.Nullable;

/** Everything a streamnorm job needs, parsed and validated once from the command line. */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How a Kafka source starts when its consumer group has no committed offsets. */
    public enum StartingOffsets {
        /** The group's committed offsets, else the earliest. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    public final String jobName;
    public final Endpoint input;
    public final Endpoint output;
    @Nullable public final Endpoint deadLetter;
    public final Normalization normalization;
    public final Delivery delivery;
    public final Duration checkpointInterval;
    public final String stateBackend;
    @Nullable public final String checkpointDir;
    @Nullable public final String fromSavepoint;
    @Nullable public final Integer parallelism;
    public final KafkaSettings kafka;
    public final String groupId;
    public final StartingOffsets startingOffsets;

    /**
     * Kafka input only: read up to the offsets that are the latest when the job starts, then finish
     * like a file run (partial batches flushed, final stats written).
     */
    public final boolean bounded;

    public final Duration transactionTimeout;
    @Nullable public final Path statsOut;

    /** The stats-update topic that eval mode follows, or null (frozen stats). */
    @Nullable public final Endpoint statsUpdates;

    /** After how long without messages the stats-update topic stops holding records back. */
    public final Duration statsUpdatesIdle;

    /** Where eval mode writes drift records ({@code --drift}), or null (drift is not watched). */
    @Nullable public final Endpoint drift;

    /**
     * Messages over this many bytes are {@code too-large} dead letters ({@code
     * --max-record-bytes}).
     */
    private int maxRecordBytes = RecordLimits.DEFAULT_MAX_RECORD_BYTES;

    /** Unaligned checkpoints and buffer debloating ({@code --no-unaligned-checkpoints}, ...). */
    private CheckpointsUnderBackpressure backpressure = CheckpointsUnderBackpressure.DEFAULT;

    /** The default of {@link #statsUpdatesIdle}. */
    public static final Duration DEFAULT_STATS_UPDATES_IDLE = Duration.ofSeconds(1);

    /** A configuration; drift records go to {@code drift} (null: drift is not watched). */
    public JobConfig(
            String jobName,
            Endpoint input,
            Endpoint output,
            @Nullable Endpoint deadLetter,
            Normalization normalization,
            Delivery delivery,
            Duration checkpointInterval,
            String stateBackend,
            @Nullable String checkpointDir,
            @Nullable String fromSavepoint,
            @Nullable Integer parallelism,
            KafkaSettings kafka,
            String groupId,
            StartingOffsets startingOffsets,
            boolean bounded,
            Duration transactionTimeout,
            @Nullable Path statsOut,
            @Nullable Endpoint statsUpdates,
            Duration statsUpdatesIdle,
            @Nullable Endpoint drift) {
        this.jobName = checkNotNull(jobName);
        this.input = checkNotNull(input);
        this.output = checkNotNull(output);
        this.deadLetter = deadLetter;
        this.normalization = checkNotNull(normalization);
        this.delivery = checkNotNull(delivery);
        this.checkpointInterval = checkNotNull(checkpointInterval);
        this.stateBackend = checkNotNull(stateBackend);
        this.checkpointDir = checkpointDir;
        this.fromSavepoint = fromSavepoint;
        this.parallelism = parallelism;
        this.kafka = checkNotNull(kafka);
        this.groupId = checkNotNull(groupId);
        this.startingOffsets = checkNotNull(startingOffsets);
        this.bounded = bounded;
        this.transactionTimeout = checkNotNull(transactionTimeout);
        this.statsOut = statsOut;
        this.statsUpdates = statsUpdates;
        this.statsUpdatesIdle = checkNotNull(statsUpdatesIdle);
        this.drift = drift;
        checkArgument(
                (drift == null) == (normalization.drift() == null),
                "drift records need both a --drift endpoint and the drift settings");
        checkArgument(
                statsUpdates == null || statsUpdates.kind() == Endpoint.Kind.KAFKA,
                "--stats-updates must be kafka://host:port/topic, got %s",
                statsUpdates);
        checkArgument(
                statsUpdates == null
                        || (normalization.norm() == Norm.BATCH
                                && normalization.mode() == Mode.EVAL
                                && normalization.scope() == Scope.KEY),
                "--stats-updates needs --norm batch --mode eval --scope key");
        checkArgument(
                !normalization.emitStatsVersion() || statsUpdates != null,
                "--emit-stats-version needs --stats-updates");
        checkArgument(
                !statsUpdatesIdle.isNegative() && !statsUpdatesIdle.isZero(),
                "--stats-updates-idle must be positive, got %s",
                statsUpdatesIdle);
        checkArgument(
                !bounded || input.kind() == Endpoint.Kind.KAFKA,
                "--bounded applies to kafka:// input only (file:// input is bounded already)");
        checkArgument(
                statsOut == null || input.kind() == Endpoint.Kind.FILE || bounded,
                "--stats-out needs bounded input (file://, or kafka:// with --bounded); export a"
                        + " savepoint's stats instead");
        checkArgument(input.kind() != Endpoint.Kind.STDOUT, "--input cannot be stdout");
        checkArgument(
                !checkpointInterval.isNegative() && !checkpointInterval.isZero(),
                "--checkpoint-interval must be positive, got %s",
                checkpointInterval);
        checkArgument(
                stateBackend.equals("hashmap") || stateBackend.equals("rocksdb"),
                "--state-backend must be hashmap or rocksdb, got '%s'",
                stateBackend);
        checkArgument(
                parallelism == null || parallelism > 0,
                "--parallelism must be positive, got %s",
                parallelism);
        checkArgument(
                transactionTimeout.compareTo(checkpointInterval.multipliedBy(2)) > 0,
                "the Kafka transaction timeout (%s) must be well above the checkpoint interval"
                        + " (%s)",
                transactionTimeout,
                checkpointInterval);
    }

    /**
     * Sets {@code --max-record-bytes} (default {@link RecordLimits#DEFAULT_MAX_RECORD_BYTES}) while
     * the configuration is built; returns this.
     */
    public JobConfig withMaxRecordBytes(int maxRecordBytes) {
        checkArgument(
                maxRecordBytes > 0, "--max-record-bytes must be positive, got %s", maxRecordBytes);
        this.maxRecordBytes = maxRecordBytes;
        return this;
    }

    /** The size over which a message is a {@code too-large} dead letter, in bytes. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /**
     * Sets how checkpoints get through backpressure (default {@link
     * CheckpointsUnderBackpressure#DEFAULT}) while the configuration is built; returns this.
     */
    public JobConfig withBackpressure(CheckpointsUnderBackpressure backpressure) {
        this.backpressure = checkNotNull(backpressure, "backpressure");
        return this;
    }

    /** How checkpoints get through backpressure. */
    public CheckpointsUnderBackpressure backpressure() {
        return backpressure;
    }

    /**
     * The transactional id prefix of this job's Kafka sinks: stable across restarts of the same job
     * (so a restarted job aborts what its predecessor left open), distinct between jobs.
     */
    public String transactionalIdPrefix(String sinkTopic) {
        String identity = jobName + "|" + input + "|" + sinkTopic;
        return "streamnorm-" + sinkTopic + "-" + Integer.toHexString(identity.hashCode());
    }
}
