package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The compose cluster serves its metrics with Flink's Prometheus reporter. */
class DockerComposeMetricsTest {
    @Test
    void jobManagerAndTaskManagerExposeThePrometheusReporter() throws Exception {
        String compose = Files.readString(Path.of("..", "docker-compose.yml"));
        assertThat(compose)
                .contains(
                        "metrics.reporter.prom.factory.class:"
                                + " org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .contains("metrics.reporter.prom.port: 9249")
                .contains("- \"9249:9249\"")
                .contains("- \"9250:9249\"");
    }
}
