package dev.streamnorm.jobs.pipeline;

import dev.streamnorm.jobs.io.Connectors;
import dev.streamnorm.jobs.io.DriftSink;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.jobs.stats.StatsFileSink;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.ScalerStatsFile;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.StatsUpdate;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.operators.typeutils.StatsUpdateTypeInfoFactory;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The streamnorm job: decode → normalize → encode, with every rejected message routed to the dead
 * letter. {@link #defineWorkflow} builds the pipeline on any source stream, so tests run the same
 * graph with their own sources and sinks.
 */
public final class NormalizeJob {
    private NormalizeJob() {}

    /** The two outputs of the pipeline. */
    public static final class Outputs {
        public final DataStream<FeatureRecord> records;
        public final DataStream<DeadLetter> deadLetters;

        /** Each key's final stats at the end of bounded input (when requested). */
        public final DataStream<Tuple2<String, RunningStats>> finalStats;

        /** Each key's final scaler statistics at the end of bounded input (when requested). */
        public final DataStream<Tuple2<String, ScalerStats>> finalScalerStats;

        /** Drift records (eval mode with {@code --drift}; empty otherwise). */
        public final DataStream<DriftReport> drift;

        Outputs(
                DataStream<FeatureRecord> records,
                DataStream<DeadLetter> deadLetters,
                DataStream<Tuple2<String, RunningStats>> finalStats,
                DataStream<Tuple2<String, ScalerStats>> finalScalerStats,
                DataStream<DriftReport> drift) {
            this.records = records;
            this.deadLetters = deadLetters;
            this.finalStats = finalStats;
            this.finalScalerStats = finalScalerStats;
            this.drift = drift;
        }
    }

    /**
     * The Flink configuration of a job: checkpointing, state backend, restore path, object reuse.
     */
    public static Configuration flinkConfiguration(JobConfig config) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.NAME, config.jobName);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on without copying them. Safe here: every operator of the
        // job emits new objects or its input, never modifies a record after emitting it, and keeps
        // in state only records that no other operator holds.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval);
        conf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        config.backpressure().applyTo(conf);
        conf.set(StateBackendOptions.STATE_BACKEND, config.stateBackend);
        // Many keys' pending records outgrow the block cache of RocksDB's share of managed memory;
        // whole index blocks then leave the cache and every read of a batch reloads them.
        // Partitioned indexes load only the partition a read needs.
        conf.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, true);
        if (config.checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir);
            conf.set(
                    CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        } else {
            // Without a directory Flink keeps checkpoints in JobManager memory, capped at 5 MB:
            // pending batches of many keys exceed that and every checkpoint would fail.
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, defaultCheckpointDir());
        }
        if (config.fromSavepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, config.fromSavepoint);
        }
        return conf;
    }

    /** A fresh local directory for the checkpoints of a run without {@code --checkpoint-dir}. */
    private static String defaultCheckpointDir() {
        try {
            return Files.createTempDirectory("streamnorm-checkpoints-").toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a checkpoint directory", e);
        }
    }

    /** Decodes, normalizes and splits {@code raw} into output records and dead letters. */
    public static Outputs defineWorkflow(DataStream<RawRecord> raw, JobConfig config) {
        return defineWorkflow(raw, null, config);
    }

    /**
     * Decodes, normalizes and splits {@code raw} into output records and dead letters; in eval mode
     * with {@code rawUpdates} (stats-update messages), the served stats follow them ({@link
     * Normalization#applyFollowing}).
     */
    public static Outputs defineWorkflow(
            DataStream<RawRecord> raw,
            @Nullable DataStream<RawRecord> rawUpdates,
            JobConfig config) {
        SingleOutputStreamOperator<FeatureRecord> decoded =
                raw.process(
                                new DecodeFunction(config.maxRecordBytes()),
                                FeatureRecordTypeInfoFactory.TYPE_INFO)
                        .uid("streamnorm-decode")
                        .name("decode json");
        DataStream<FeatureRecord> records = decoded;
        Normalization normalization = config.normalization;
        if (normalization.batchInterval() != null
                || rawUpdates != null
                || normalization.drift() != null) {
            WatermarkStrategy<FeatureRecord> watermarks =
                    withIdleness(
                            WatermarkStrategy.<FeatureRecord>forMonotonousTimestamps()
                                    .withTimestampAssigner(
                                            (record, previous) ->
                                                    record.timestamp() != FeatureRecord.NO_TIMESTAMP
                                                            ? record.timestamp()
                                                            : previous),
                            normalization.batchTimeout());
            records =
                    decoded.assignTimestampsAndWatermarks(watermarks).uid("streamnorm-event-time");
        }
        SingleOutputStreamOperator<FeatureRecord> normalized;
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(Normalization.DEAD_LETTERS);
        if (rawUpdates != null) {
            SingleOutputStreamOperator<StatsUpdate> updates =
                    rawUpdates
                            .transform(
                                    "decode stats updates",
                                    StatsUpdateTypeInfoFactory.TYPE_INFO,
                                    new StatsUpdateClock(
                                            config.statsUpdates,
                                            config.kafka,
                                            Connectors.statsUpdatesGroupId(config),
                                            config.statsUpdatesIdle))
                            .setParallelism(1)
                            .uid("streamnorm-decode-stats-updates");
            deadLetters = deadLetters.union(updates.getSideOutput(Normalization.DEAD_LETTERS));
            normalized = normalization.applyFollowing(records, updates);
        } else {
            normalized = normalization.apply(records);
        }
        deadLetters = deadLetters.union(normalized.getSideOutput(Normalization.DEAD_LETTERS));
        return new Outputs(
                normalized,
                deadLetters,
                normalized.getSideOutput(Normalization.FINAL_STATS),
                normalized.getSideOutput(Normalization.FINAL_SCALER_STATS),
                normalized.getSideOutput(DriftReport.SIDE_OUTPUT));
    }

    /** {@code strategy} marking its stream idle after {@code idleness}; zero never. */
    private static <T> WatermarkStrategy<T> withIdleness(
            WatermarkStrategy<T> strategy, Duration idleness) {
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    private static SerializableFunction<StatsTable, StatsFile> statsFileHeader(JobConfig config) {
        Normalization n = config.normalization;
        RecordShape shape = n.shape();
        double eps = n.eps();
        String momentum = n.momentum().toString();
        String convention = n.convention().id();
        Affine affine = n.affine();
        return table -> new StatsFile(table, shape, eps, momentum, convention, affine);
    }

    private static SerializableFunction<Map<String, ScalerStats>, ScalerStatsFile> scalerFileHeader(
            JobConfig config) {
        Normalization n = config.normalization;
        ScalerKind kind = n.norm().scalerKind();
        ScalerParams params = n.scalerParams();
        RecordShape shape = n.shape();
        return stats -> ScalerStatsFile.of(kind, params, shape, stats);
    }

    /** Builds the whole job on {@code env} (sources and sinks from the config) and runs it. */
    public static JobExecutionResult run(StreamExecutionEnvironment env, JobConfig config)
            throws Exception {
        if (config.parallelism != null) {
            env.setParallelism(config.parallelism);
        }
        DataStream<RawRecord> updates =
                config.statsUpdates == null ? null : Connectors.statsUpdates(env, config);
        sinkOutputs(defineWorkflow(Connectors.source(env, config), updates, config), config);
        return env.execute(config.jobName);
    }

    /** Writes records, dead letters and (with {@code --stats-out}) the final stats file. */
    public static void sinkOutputs(Outputs outputs, JobConfig config) {
        Connectors.sinkRecords(outputs.records, config);
        Connectors.sinkDeadLetters(outputs.deadLetters, config);
        if (config.drift != null) {
            DriftSink.sink(outputs.drift, config);
        }
        if (config.statsOut != null && config.normalization.norm().isScaler()) {
            outputs.finalScalerStats
                    .sinkTo(StatsFileSink.scalerStats(config.statsOut, scalerFileHeader(config)))
                    .setParallelism(1)
                    .uid("streamnorm-stats-out")
                    .name("stats file " + config.statsOut);
        } else if (config.statsOut != null) {
            outputs.finalStats
                    .sinkTo(StatsFileSink.runningStats(config.statsOut, statsFileHeader(config)))
                    .setParallelism(1)
                    .uid("streamnorm-stats-out")
                    .name("stats file " + config.statsOut);
        }
    }
}
