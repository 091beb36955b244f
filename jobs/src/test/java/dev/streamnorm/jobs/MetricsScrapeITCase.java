package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cluster.FreePort;
import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.PrometheusMetrics;
import dev.streamnorm.operators.DriftSettings;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsFile;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running eval job with drift, on its own local cluster with the Prometheus reporter: its {@code
 * /metrics} endpoint counts exactly the records sent, those normalized, the dead letters by code,
 * and the one drifting key in alert.
 */
class MetricsScrapeITCase {
    private static final String INPUT = "metrics-input";
    private static final String OUTPUT = "metrics-output";
    private static final String DEAD_LETTERS = "metrics-dead-letters";
    private static final String DRIFT = "metrics-drift";
    private static final String OPERATOR = "flink_taskmanager_job_task_operator_";

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void theEndpointCountsWhatWasSent(@TempDir Path tmp) throws Exception {
        DriftData data = new DriftData(4, 3000, 1, 17L);
        Path stats = tmp.resolve("stats.json");
        data.writeStats(stats);
        KAFKA.kafka().createTopics(1, INPUT, OUTPUT, DEAD_LETTERS, DRIFT);
        List<String> lines = data.lines();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(TestKafka.producer(KAFKA.kafka().bootstrapServers()))) {
            for (String line : lines) {
                producer.send(new ProducerRecord<>(INPUT, bytes(line)));
            }
            producer.send(new ProducerRecord<>(INPUT, bytes("not json")));
            producer.send(new ProducerRecord<>(INPUT, bytes("{\"values\": [1, ")));
            producer.send(
                    new ProducerRecord<>(
                            INPUT,
                            bytes(
                                    "{\"key\": \"k0\", \"ts\": "
                                            + DriftData.START
                                            + ", \"values\": [1]}")));
        }
        int sent = lines.size() + 3;

        int port = FreePort.pick();
        Configuration extra = new Configuration();
        PrometheusMetrics.configure(extra, port);
        JobClient job = KafkaJobs.start(config(stats), extra, null);
        try {
            TestKafka.await(
                    () -> "the endpoint to count every record sent",
                    TestKafka.WAIT,
                    job,
                    () -> sum(scrapeOnceUp(port), "recordsIn") == sent);
            String metrics = scrape(port);
            assertThat(sum(metrics, "recordsIn")).isEqualTo(sent);
            TestKafka.await(
                    () -> "every good record normalized",
                    TestKafka.WAIT,
                    job,
                    () -> sum(scrape(port), "recordsNormalized") == lines.size());
            metrics = scrape(port);
            assertThat(sum(metrics, "deadLetters_malformed_json")).isEqualTo(2);
            assertThat(sum(metrics, "deadLetters_wrong_length")).isEqualTo(1);
            assertThat(sum(metrics, "driftKeysInAlert")).isEqualTo(1);
            assertThat(sum(metrics, "driftMaxAbsShift")).isGreaterThan(3.0);
            // Six 5 s intervals per key, the last one still open.
            assertThat(sum(metrics, "driftRecords")).isEqualTo(4 * 5);
            assertThat(metrics).doesNotContain("k0").doesNotContain("k1");
        } finally {
            job.cancel().get();
        }
    }

    private JobConfig config(Path stats) {
        String base = "kafka://" + KAFKA.kafka().bootstrapServers() + "/";
        Normalization eval =
                Normalization.builder()
                        .setMode(Mode.EVAL)
                        .setInitialStats(StatsFile.read(stats).stats)
                        .setEps(DriftData.EPS)
                        .setDrift(DriftSettings.defaults().withInterval(Duration.ofSeconds(5)))
                        .build();
        return new JobConfig(
                "metrics",
                Endpoint.parse(base + INPUT),
                Endpoint.parse(base + OUTPUT),
                Endpoint.parse(base + DEAD_LETTERS),
                eval,
                Delivery.AT_LEAST_ONCE,
                Duration.ofSeconds(1),
                "hashmap",
                null,
                null,
                1,
                KafkaSettings.none(),
                "group-metrics",
                JobConfig.StartingOffsets.EARLIEST,
                false,
                Duration.ofMinutes(2),
                null,
                null,
                JobConfig.DEFAULT_STATS_UPDATES_IDLE,
                Endpoint.parse(base + DRIFT));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String scrape(int port) throws Exception {
        return PrometheusScrape.scrape(port);
    }

    /** The metrics, or nothing while the endpoint is not up yet. */
    private static String scrapeOnceUp(int port) throws Exception {
        try {
            return scrape(port);
        } catch (ConnectException e) {
            return "";
        }
    }

    /** The sum over every series (operator, subtask) of the streamnorm metric {@code name}. */
    private static double sum(String metrics, String name) {
        return PrometheusScrape.sum(metrics, OPERATOR + name);
    }
}
