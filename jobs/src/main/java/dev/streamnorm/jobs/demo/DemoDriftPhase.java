package dev.streamnorm.jobs.demo;

import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.LocalFlink;
import dev.streamnorm.jobs.pipeline.NormalizeJob;
import dev.streamnorm.jobs.report.DriftReportWriter;
import dev.streamnorm.jobs.stats.SavepointStats;
import dev.streamnorm.operators.DriftSettings;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RecordShape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The demo's drift phase: the stats learned in training (read from the train job's savepoint) serve
 * a bounded eval job with {@code --drift} while one key's first feature moves by {@value
 * #SHIFT_SIGMAS} standard deviations halfway through; then the drift report.
 *
 * <p>The records continue the training data (same keys, scales and slow drift) with event times
 * {@value #EVENT_STEP_MS} ms apart, so the drift records every {@link #INTERVAL} draw a time
 * series.
 */
final class DemoDriftPhase {
    static final String INPUT = "demo-live";
    static final String OUTPUT = "demo-live-normalized";
    static final String DRIFT = "demo-drift";

    /** The topics of the phase (one partition each), created before the demo starts. */
    static final String[] TOPICS = {INPUT, OUTPUT, DRIFT};

    static final double SHIFT_SIGMAS = 4.0;
    static final long EVENT_STEP_MS = 5;
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final DemoRun.Settings settings;
    private final PrintWriter out;

    DemoDriftPhase(DemoRun.Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    /** The key whose distribution shifts. */
    int driftingKey() {
        return settings.keys / 2;
    }

    /**
     * Runs the phase on {@code kafka} (its topics created) with the stats of the train savepoint at
     * {@code savepoint}, then writes the report and prints the keys in alert.
     */
    void run(DemoBroker kafka, String savepoint, long trainRecords) throws Exception {
        StatsFile learned =
                SavepointStats.read(
                        savepoint, Normalization.OPERATOR_UID, new HashMapStateBackend());
        say(
                "drift phase: serving the learned stats of "
                        + learned.stats.keys().size()
                        + " keys in eval mode; "
                        + DemoData.keyName(driftingKey())
                        + "'s feature 0 moves by "
                        + SHIFT_SIGMAS
                        + " sigma halfway through "
                        + settings.driftRecords
                        + " records");
        produce(kafka, trainRecords);
        JobConfig config = jobConfig(kafka, learned.stats);
        StreamExecutionEnvironment env =
                LocalFlink.environment(NormalizeJob.flinkConfiguration(config));
        NormalizeJob.run(env, config);
        Path report = settings.report.toAbsolutePath();
        DriftReportWriter.Summary summary =
                DriftReportWriter.write(
                        "kafka://" + kafka.bootstrapServers() + "/" + DRIFT,
                        kafka.settings(),
                        Map.of(),
                        DriftSettings.DEFAULT_THRESHOLD,
                        DriftSettings.DEFAULT_PSI,
                        settings.keys,
                        report);
        out.println();
        out.printf(
                Locale.ROOT,
                "drift: %d keys watched against the served stats; keys in alert: %s (the"
                        + " drifting key: %s)%n",
                summary.keys,
                summary.alerting,
                DemoData.keyName(driftingKey()));
        out.println("drift report: " + report);
        out.flush();
    }

    private void produce(DemoBroker kafka, long trainRecords) {
        Properties props = DemoProducer.properties(kafka);
        DemoData data = new DemoData(settings.keys, settings.features, 42L);
        long start = System.currentTimeMillis();
        long half = settings.driftRecords / 2;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (long n = 0; n < settings.driftRecords; n++) {
                // Continue the training sequence, so that keys and slow drift carry on; only good
                // records (with 3 features, a "wrong-length" record would be a valid outlier).
                long i = trainRecords + n;
                int key = data.keyOf(i);
                double[] values = data.values(i);
                if (key == driftingKey() && n >= half) {
                    data.shift(values, key, 0, SHIFT_SIGMAS);
                }
                producer.send(
                        new ProducerRecord<>(
                                INPUT,
                                DemoData.keyName(key),
                                data.goodJson(i, start + n * EVENT_STEP_MS, values)));
            }
            producer.flush();
        }
    }

    private JobConfig jobConfig(DemoBroker kafka, StatsTable learned) {
        Normalization eval =
                Normalization.builder()
                        .setMode(Mode.EVAL)
                        .setShape(RecordShape.vector(settings.features))
                        .setInitialStats(learned)
                        .setDrift(DriftSettings.defaults().withInterval(INTERVAL))
                        .build();
        String base = "kafka://" + kafka.bootstrapServers() + "/";
        return new JobConfig(
                "streamnorm demo drift",
                Endpoint.parse(base + INPUT),
                Endpoint.parse(base + OUTPUT),
                Endpoint.parse(base + DemoRun.DEAD_LETTERS),
                eval,
                Delivery.EXACTLY_ONCE,
                settings.checkpointInterval,
                "hashmap",
                null,
                null,
                settings.parallelism,
                kafka.settings(),
                "streamnorm-demo-drift",
                JobConfig.StartingOffsets.EARLIEST,
                true,
                Duration.ofMinutes(5),
                null,
                null,
                JobConfig.DEFAULT_STATS_UPDATES_IDLE,
                Endpoint.parse(base + DRIFT));
    }

    private void say(String line) {
        out.println("[demo] " + line);
        out.flush();
    }
}
