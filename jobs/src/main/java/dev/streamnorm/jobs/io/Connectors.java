package dev.streamnorm.jobs.io;

import dev.streamnorm.jobs.codec.JsonRecordEncoder;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.legacy.PrintSinkFunction;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the sources and sinks that endpoints name, with stable uids. */
public final class Connectors {
    private Connectors() {}

    /** The input stream of raw messages. */
    public static DataStream<RawRecord> source(StreamExecutionEnvironment env, JobConfig config) {
        Endpoint input = config.input;
        switch (input.kind()) {
            case KAFKA:
                KafkaSourceBuilder<RawRecord> kafka =
                        KafkaSource.<RawRecord>builder()
                                .setBootstrapServers(input.bootstrapServers())
                                .setTopics(input.topic())
                                .setGroupId(config.groupId)
                                .setStartingOffsets(startingOffsets(config.startingOffsets))
                                .setDeserializer(new RawKafkaDeserializer())
                                .setProperties(config.kafka.toProperties())
                                .setProperty("isolation.level", "read_committed");
                if (config.bounded) {
                    kafka.setBounded(OffsetsInitializer.latest());
                }
                return env.fromSource(
                                kafka.build(), WatermarkStrategy.noWatermarks(), "kafka " + input)
                        .uid("streamnorm-source");
            case FILE:
                String path = input.path().toString();
                FileSource<RawRecord> file =
                        FileSource.forRecordStreamFormat(
                                        new JsonLinesFormat(path, config.maxRecordBytes()),
                                        new org.apache.flink.core.fs.Path(input.path().toUri()))
                                .build();
                return env.fromSource(file, WatermarkStrategy.noWatermarks(), "file " + input)
                        .uid("streamnorm-source");
            default:
                throw new IllegalArgumentException("cannot read from " + input);
        }
    }

    /**
     * The stats-update messages, always from the topic's earliest offset: the update history is
     * small and all of it is needed to rebuild the served tables deterministically. Read with one
     * subtask, so that updates keep their topic order (the tie-break of equal effective times). A
     * bounded run (file input, or {@code --bounded}) reads the updates up to the offsets that are
     * the latest when it starts.
     */
    public static DataStream<RawRecord> statsUpdates(
            StreamExecutionEnvironment env, JobConfig config) {
        Endpoint topic = config.statsUpdates;
        if (topic == null || topic.kind() != Endpoint.Kind.KAFKA) {
            throw new IllegalArgumentException("cannot read stats updates from " + topic);
        }
        KafkaSourceBuilder<RawRecord> kafka =
                KafkaSource.<RawRecord>builder()
                        .setBootstrapServers(topic.bootstrapServers())
                        .setTopics(topic.topic())
                        .setGroupId(statsUpdatesGroupId(config))
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new RawKafkaDeserializer())
                        .setProperties(config.kafka.toProperties())
                        .setProperty("isolation.level", "read_committed");
        if (config.bounded || config.input.kind() == Endpoint.Kind.FILE) {
            // A bounded run ends every source: the updates published when it starts, no later.
            kafka.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(
                        kafka.build(), WatermarkStrategy.noWatermarks(), "stats updates " + topic)
                .setParallelism(1)
                .uid("streamnorm-stats-updates");
    }

    /** The consumer group of the stats-update source. */
    public static String statsUpdatesGroupId(JobConfig config) {
        return config.groupId + "-stats-updates";
    }

    private static OffsetsInitializer startingOffsets(JobConfig.StartingOffsets offsets) {
        switch (offsets) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    /** Writes normalized records to the output endpoint. */
    public static void sinkRecords(DataStream<FeatureRecord> records, JobConfig config) {
        Endpoint output = config.output;
        if (output.kind() == Endpoint.Kind.KAFKA) {
            records.sinkTo(kafkaSink(config, output, KafkaMessages.records(output.topic())))
                    .uid("streamnorm-output")
                    .name("kafka " + output);
        } else {
            sinkLines(records.map(new EncodeRecord()).uid("streamnorm-encode"), output, "output");
        }
    }

    /** Writes dead letters to their endpoint, or to stderr when none is configured. */
    public static void sinkDeadLetters(DataStream<DeadLetter> letters, JobConfig config) {
        Endpoint target = config.deadLetter;
        if (target != null && target.kind() == Endpoint.Kind.KAFKA) {
            letters.sinkTo(kafkaSink(config, target, KafkaMessages.deadLetters(target.topic())))
                    .uid("streamnorm-dead-letters")
                    .name("dead letters " + target);
        } else {
            sinkLines(
                    letters.map(new EncodeDeadLetter()).uid("streamnorm-encode-dead-letters"),
                    target,
                    "dead-letters");
        }
    }

    /**
     * A Kafka sink; exactly-once, it reports each transaction it cannot commit ({@link
     * TransactionReportingSink}).
     */
    static <T> Sink<T> kafkaSink(
            JobConfig config, Endpoint target, KafkaRecordSerializationSchema<T> schema) {
        boolean exactlyOnce = config.delivery == Delivery.EXACTLY_ONCE;
        KafkaSink<T> sink =
                KafkaSink.<T>builder()
                        .setBootstrapServers(target.bootstrapServers())
                        .setKafkaProducerConfig(SinkProducerSettings.of(config.kafka, exactlyOnce))
                        .setRecordSerializer(schema)
                        .setDeliveryGuarantee(
                                exactlyOnce
                                        ? DeliveryGuarantee.EXACTLY_ONCE
                                        : DeliveryGuarantee.AT_LEAST_ONCE)
                        .setTransactionalIdPrefix(config.transactionalIdPrefix(target.topic()))
                        .setProperty(
                                "transaction.timeout.ms",
                                Long.toString(config.transactionTimeout.toMillis()))
                        .build();
        return exactlyOnce
                ? new TransactionReportingSink<>(sink, target.toString(), config.transactionTimeout)
                : sink;
    }

    static void sinkLines(DataStream<byte[]> lines, @Nullable Endpoint target, String what) {
        if (target != null && target.kind() == Endpoint.Kind.FILE) {
            lines.sinkTo(new LineFileSink(target.path()))
                    .setParallelism(1)
                    .uid("streamnorm-" + what + "-file")
                    .name(what + " " + target);
        } else {
            boolean stderr = target == null;
            lines.map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                    .returns(Types.STRING)
                    .uid("streamnorm-" + what + "-text")
                    .addSink(new PrintSinkFunction<>(stderr))
                    .uid("streamnorm-" + what + "-print")
                    .name(what + (stderr ? " stderr" : " stdout"));
        }
    }

    private static final class EncodeRecord extends RichMapFunction<FeatureRecord, byte[]> {
        private static final long serialVersionUID = 1L;
        private transient JsonRecordEncoder encoder;

        @Override
        public void open(OpenContext openContext) {
            encoder = new JsonRecordEncoder();
        }

        @Override
        public byte[] map(FeatureRecord record) {
            return encoder.encode(record);
        }
    }

    private static final class EncodeDeadLetter extends RichMapFunction<DeadLetter, byte[]> {
        private static final long serialVersionUID = 1L;
        private transient JsonRecordEncoder encoder;

        @Override
        public void open(OpenContext openContext) {
            encoder = new JsonRecordEncoder();
        }

        @Override
        public byte[] map(DeadLetter letter) {
            return encoder.encode(letter);
        }
    }
}
