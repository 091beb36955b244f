package dev.streamnorm.jobs.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.LocalFlink;
import dev.streamnorm.jobs.pipeline.NormalizeJob;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.RecordShape;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One run of {@code streamnorm demo}: broker, topics, job, producer, a {@code read_committed}
 * consumer that follows the output, progress lines and the final summary.
 */
public final class DemoRun {
    private static final String INPUT = "demo-input";
    private static final String OUTPUT = "demo-output";
    static final String DEAD_LETTERS = "demo-dead-letters";
    private static final Duration STALL_LIMIT = Duration.ofSeconds(90);

    /** What the demo runs. */
    public static final class Settings {
        final long records;
        final int keys;
        final int features;
        final int batchSize;
        final int parallelism;
        final Duration checkpointInterval;
        final boolean keepRunning;
        final int rate;

        /** Records of the drift phase (0: no drift phase), and where its report goes. */
        final long driftRecords;

        final Path report;

        public Settings(
                long records,
                int keys,
                int features,
                int batchSize,
                int parallelism,
                Duration checkpointInterval,
                boolean keepRunning,
                int rate,
                long driftRecords,
                Path report) {
            this.records = records;
            this.keys = keys;
            this.features = features;
            this.batchSize = batchSize;
            this.parallelism = parallelism;
            this.checkpointInterval = checkpointInterval;
            this.keepRunning = keepRunning;
            this.rate = rate;
            this.driftRecords = driftRecords;
            this.report = report;
        }
    }

    private final Settings settings;
    private final PrintWriter out;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Long> deadLetterCodes = new TreeMap<>();
    private final FeatureSummary summary;
    private long normalized;
    private long deadLetters;

    public DemoRun(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
        this.summary = new FeatureSummary(settings.keys, settings.features);
    }

    /**
     * Starts the in-process broker, or connects to the user's at {@code bootstrapServers} with
     * {@code kafka}'s client settings; then creates the demo's topics there.
     *
     * @throws IllegalArgumentException one line (without secrets): the user's broker cannot be
     *     reached, refuses the credentials, or has a demo topic that is not empty
     */
    public DemoBroker broker(
            @Nullable String bootstrapServers, KafkaSettings kafka, Duration timeout)
            throws Exception {
        DemoBroker broker;
        if (bootstrapServers == null) {
            say("starting an in-process Kafka broker (KRaft)...");
            broker = DemoBroker.embedded();
        } else {
            broker = DemoBroker.external(bootstrapServers, kafka, timeout);
        }
        try {
            broker.createTopics(4, INPUT, OUTPUT);
            broker.createTopics(1, DEAD_LETTERS);
            if (driftPhase()) {
                broker.createTopics(1, DemoDriftPhase.TOPICS);
            }
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** Runs the demo on {@code kafka}; returns whether every record came out exactly once. */
    public boolean run(DemoBroker kafka) throws Exception {
        say(
                "Kafka broker: "
                        + kafka.bootstrapServers()
                        + (kafka.isExternal() ? " (yours)" : "")
                        + "  topics: "
                        + INPUT
                        + " -> "
                        + OUTPUT
                        + ", "
                        + DEAD_LETTERS);
        if (!kafka.settings().toProperties().isEmpty()) {
            say("Kafka client settings: " + kafka.settings());
        }
        int restPort = EmbeddedKafka.freeLoopbackPort();
        JobConfig config = jobConfig(kafka);
        Configuration conf = LocalFlink.bindToLoopback(NormalizeJob.flinkConfiguration(config));
        conf.set(RestOptions.PORT, restPort);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(settings.parallelism);
        NormalizeJob.Outputs outputs =
                NormalizeJob.defineWorkflow(
                        dev.streamnorm.jobs.io.Connectors.source(env, config), config);
        dev.streamnorm.jobs.io.Connectors.sinkRecords(outputs.records, config);
        dev.streamnorm.jobs.io.Connectors.sinkDeadLetters(outputs.deadLetters, config);
        JobClient job = env.executeAsync(config.jobName);
        say("Flink Web UI: http://127.0.0.1:" + restPort + "  (job " + job.getJobID() + ")");
        say(
                "job: "
                        + config.normalization.describe()
                        + ", exactly-once, checkpoints every "
                        + settings.checkpointInterval.toMillis()
                        + " ms, parallelism "
                        + settings.parallelism);
        DemoProducer producer = new DemoProducer(settings, kafka, INPUT, summary);
        Thread producing = new Thread(producer, "demo-producer");
        producing.setDaemon(true);
        long start = System.nanoTime();
        producing.start();
        boolean complete;
        boolean drift = driftPhase();
        String savepoint = null;
        try {
            complete = follow(kafka, producer, start);
        } finally {
            producer.stop();
            if (drift) {
                savepoint =
                        job.stopWithSavepoint(false, savepointDir(), SavepointFormatType.CANONICAL)
                                .get();
            } else {
                job.cancel().get();
            }
        }
        printSummary(producer, start);
        if (drift && complete) {
            new DemoDriftPhase(settings, out).run(kafka, savepoint, producer.produced());
        }
        return complete;
    }

    /** Whether a drift phase follows the training. */
    private boolean driftPhase() {
        return settings.driftRecords > 0 && !settings.keepRunning;
    }

    private JobConfig jobConfig(DemoBroker kafka) {
        String bootstrap = kafka.bootstrapServers();
        Normalization normalization =
                Normalization.builder()
                        .setShape(RecordShape.vector(settings.features))
                        .setBatchSize(settings.batchSize)
                        .setBatchTimeout(Duration.ofSeconds(2))
                        .build();
        return new JobConfig(
                "streamnorm demo",
                Endpoint.parse("kafka://" + bootstrap + "/" + INPUT),
                Endpoint.parse("kafka://" + bootstrap + "/" + OUTPUT),
                Endpoint.parse("kafka://" + bootstrap + "/" + DEAD_LETTERS),
                normalization,
                Delivery.EXACTLY_ONCE,
                settings.checkpointInterval,
                "hashmap",
                null,
                null,
                settings.parallelism,
                kafka.settings(),
                "streamnorm-demo",
                JobConfig.StartingOffsets.EARLIEST,
                false,
                Duration.ofMinutes(5),
                null,
                null,
                JobConfig.DEFAULT_STATS_UPDATES_IDLE,
                null);
    }

    /** Follows the committed output until every produced record is accounted for. */
    private boolean follow(DemoBroker kafka, DemoProducer producer, long start) throws IOException {
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "streamnorm-demo-reader");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(OUTPUT, DEAD_LETTERS));
            long lastProgress = System.nanoTime();
            long lastPrint = 0;
            long lastTotal = 0;
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    take(record);
                }
                long now = System.nanoTime();
                long total = normalized + deadLetters;
                if (total != lastTotal) {
                    lastTotal = total;
                    lastProgress = now;
                }
                if (now - lastPrint > 1_000_000_000L) {
                    lastPrint = now;
                    progress(producer, start);
                }
                if (producer.failure() != null) {
                    say("the producer failed: " + producer.failure());
                    return false;
                }
                boolean producing = settings.keepRunning || producer.produced() < settings.records;
                if (!producing && total >= producer.produced()) {
                    progress(producer, start);
                    return total == producer.produced();
                }
                if (now - lastProgress > STALL_LIMIT.toNanos()) {
                    say("no committed output for " + STALL_LIMIT.toSeconds() + " s; giving up");
                    return false;
                }
            }
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record) throws IOException {
        JsonNode node = json.readTree(record.value());
        if (record.topic().equals(DEAD_LETTERS)) {
            deadLetters++;
            deadLetterCodes.merge(node.path("error").asText(), 1L, Long::sum);
            return;
        }
        normalized++;
        String key = new String(record.key(), StandardCharsets.UTF_8);
        int index = Integer.parseInt(key.substring(key.indexOf('-') + 1));
        JsonNode values = node.get("values");
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).doubleValue();
        }
        summary.output(index, v);
    }

    private void progress(DemoProducer producer, long start) {
        double seconds = (System.nanoTime() - start) / 1e9;
        say(
                String.format(
                        Locale.ROOT,
                        "%6.1f s  produced %,d  normalized %,d  dead letters %,d",
                        seconds,
                        producer.produced(),
                        normalized,
                        deadLetters));
    }

    private void printSummary(DemoProducer producer, long start) {
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println();
        out.println("Per key and feature: the input's mean and std beside the normalized output's");
        summary.print(out);
        out.println();
        out.printf(
                Locale.ROOT,
                "records in %,d = out %,d + dead letters %,d%s%n",
                producer.produced(),
                normalized,
                deadLetters,
                producer.produced() == normalized + deadLetters ? "" : "  (MISMATCH)");
        out.printf(
                Locale.ROOT,
                "dead letters by code: %s (bad records produced: %,d)%n",
                deadLetterCodes,
                producer.producedBad());
        out.printf(
                Locale.ROOT,
                "throughput: %,.0f records/s end to end (Kafka -> Flink -> Kafka, exactly-once,"
                        + " read_committed), %.1f s in all%n",
                (normalized + deadLetters) / seconds,
                seconds);
        out.flush();
    }

    private void say(String line) {
        out.println("[demo] " + line);
        out.flush();
    }

    /** A fresh directory for the train job's savepoint. */
    private static String savepointDir() throws IOException {
        return Files.createTempDirectory("streamnorm-demo-savepoint-").toUri().toString();
    }
}
