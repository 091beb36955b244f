package dev.streamnorm.jobs;

import dev.streamnorm.jobs.demo.EmbeddedKafka;
import dev.streamnorm.jobs.io.Connectors;
import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.NormalizeJob;
import dev.streamnorm.operators.Normalization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Builds and runs the streamnorm job Kafka → Kafka on the test's MiniCluster. */
final class KafkaJobs {
    private KafkaJobs() {}

    /**
     * An exactly-once Kafka → Kafka job configuration; the consumer group and the transactional ids
     * derive from {@code name}, so every job of a test class has its own.
     */
    static JobConfig config(
            String name,
            EmbeddedKafka kafka,
            String input,
            String output,
            String deadLetters,
            Normalization normalization,
            Duration checkpointInterval,
            int parallelism) {
        return config(
                name,
                kafka,
                input,
                output,
                deadLetters,
                normalization,
                checkpointInterval,
                parallelism,
                null,
                JobConfig.DEFAULT_STATS_UPDATES_IDLE);
    }

    /** {@link #config} following the stats updates of topic {@code statsUpdates} when not null. */
    static JobConfig config(
            String name,
            EmbeddedKafka kafka,
            String input,
            String output,
            String deadLetters,
            Normalization normalization,
            Duration checkpointInterval,
            int parallelism,
            @Nullable String statsUpdates,
            Duration statsUpdatesIdle) {
        String base = "kafka://" + kafka.bootstrapServers() + "/";
        return new JobConfig(
                name,
                Endpoint.parse(base + input),
                Endpoint.parse(base + output),
                Endpoint.parse(base + deadLetters),
                normalization,
                Delivery.EXACTLY_ONCE,
                checkpointInterval,
                "hashmap",
                null,
                null,
                parallelism,
                KafkaSettings.none(),
                "group-" + name,
                JobConfig.StartingOffsets.COMMITTED,
                false,
                Duration.ofMinutes(2),
                null,
                statsUpdates == null ? null : Endpoint.parse(base + statsUpdates),
                statsUpdatesIdle,
                null);
    }

    /**
     * Starts the job as {@code streamnorm run} builds it (source, {@link
     * NormalizeJob#defineWorkflow}, sinks), with {@code extra} configuration and, when given,
     * {@code onRaw} applied to the raw messages before decoding.
     */
    static JobClient start(
            JobConfig config,
            Configuration extra,
            @Nullable MapFunction<RawRecord, RawRecord> onRaw)
            throws Exception {
        return start(config, extra, onRaw, null);
    }

    /**
     * {@link #start} with the stats-update messages read with {@code updateReader}'s client
     * properties instead of the job's, when given (e.g. a reader slowed down).
     */
    static JobClient start(
            JobConfig config,
            Configuration extra,
            @Nullable MapFunction<RawRecord, RawRecord> onRaw,
            @Nullable KafkaSettings updateReader)
            throws Exception {
        Configuration conf = NormalizeJob.flinkConfiguration(config);
        conf.addAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(config.parallelism);
        DataStream<RawRecord> raw = Connectors.source(env, config);
        if (onRaw != null) {
            raw = raw.map(onRaw).returns(TypeInformation.of(RawRecord.class)).uid("test-on-raw");
        }
        DataStream<RawRecord> updates =
                config.statsUpdates == null
                        ? null
                        : Connectors.statsUpdates(
                                env,
                                updateReader == null ? config : withKafka(config, updateReader));
        NormalizeJob.sinkOutputs(NormalizeJob.defineWorkflow(raw, updates, config), config);
        return env.executeAsync(config.jobName);
    }

    /** {@code config} with the Kafka client properties {@code kafka}. */
    private static JobConfig withKafka(JobConfig config, KafkaSettings kafka) {
        return new JobConfig(
                config.jobName,
                config.input,
                config.output,
                config.deadLetter,
                config.normalization,
                config.delivery,
                config.checkpointInterval,
                config.stateBackend,
                config.checkpointDir,
                config.fromSavepoint,
                config.parallelism,
                kafka,
                config.groupId,
                config.startingOffsets,
                config.bounded,
                config.transactionTimeout,
                config.statsOut,
                config.statsUpdates,
                config.statsUpdatesIdle,
                config.drift);
    }

    /**
     * What a run left in its output and dead-letter topics, as read_committed reads them, and the
     * savepoint it stopped with.
     */
    static final class Result {
        final List<ConsumerRecord<byte[], byte[]>> outputs;
        final List<ConsumerRecord<byte[], byte[]>> deadLetters;
        final String savepoint;

        Result(
                List<ConsumerRecord<byte[], byte[]>> outputs,
                List<ConsumerRecord<byte[], byte[]>> deadLetters,
                String savepoint) {
            this.outputs = outputs;
            this.deadLetters = deadLetters;
            this.savepoint = savepoint;
        }
    }

    /**
     * Runs the job over everything already in its input topic: waits until its consumer group has
     * committed the end of every input partition (so every message was read and is covered by a
     * completed checkpoint), then stops it with a draining savepoint, which flushes the partial
     * batches and commits the last transactions, and reads both topics to their end.
     */
    static Result runToEndOfInput(EmbeddedKafka kafka, JobConfig config, Path savepoints)
            throws Exception {
        return runToEndOfInput(kafka, config, savepoints, new Configuration(), null);
    }

    /**
     * {@link #runToEndOfInput} with {@code extra} configuration and {@code onRaw} ({@link #start}).
     */
    static Result runToEndOfInput(
            EmbeddedKafka kafka,
            JobConfig config,
            Path savepoints,
            Configuration extra,
            @Nullable MapFunction<RawRecord, RawRecord> onRaw)
            throws Exception {
        return runToEndOfInput(kafka, config, savepoints, extra, onRaw, null);
    }

    /** {@link #runToEndOfInput} with {@code updateReader} ({@link #start}). */
    static Result runToEndOfInput(
            EmbeddedKafka kafka,
            JobConfig config,
            Path savepoints,
            Configuration extra,
            @Nullable MapFunction<RawRecord, RawRecord> onRaw,
            @Nullable KafkaSettings updateReader)
            throws Exception {
        Map<TopicPartition, Long> end = TestKafka.endOffsets(kafka, config.input.topic());
        JobClient job = start(config, extra, onRaw, updateReader);
        String savepoint;
        try {
            TestKafka.awaitCommitted(kafka, config.groupId, end, job);
            savepoint =
                    job.stopWithSavepoint(
                                    true,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
            job.getJobExecutionResult().get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            if (!job.getJobExecutionResult().isDone()) {
                job.cancel().get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
        String bootstrap = kafka.bootstrapServers();
        try (TestKafka.CommittedReader out =
                        new TestKafka.CommittedReader(bootstrap, config.output.topic());
                TestKafka.CommittedReader dead =
                        new TestKafka.CommittedReader(bootstrap, config.deadLetter.topic())) {
            out.readToEnd(TestKafka.WAIT);
            dead.readToEnd(TestKafka.WAIT);
            return new Result(out.records(), dead.records(), savepoint);
        }
    }
}
