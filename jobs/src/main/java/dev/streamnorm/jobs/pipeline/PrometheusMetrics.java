package dev.streamnorm.jobs.pipeline;

import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.prometheus.LoopbackPrometheusReporter;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Flink's Prometheus reporter (flink-metrics-prometheus) for local runs: the job's metrics, Flink's
 * and streamnorm's, at {@code http://127.0.0.1:PORT/metrics} (README "Metrics" lists streamnorm's
 * by their exported names). On a cluster, Flink's own {@code PrometheusReporterFactory} does the
 * same (docker-compose.yml).
 */
public final class PrometheusMetrics implements MetricReporterFactory {
    /** The reporter's name in the configuration ({@code metrics.reporter.prom.*}). */
    public static final String REPORTER = "prom";

    private static final String PREFIX = "metrics.reporter." + REPORTER + ".";

    /** Adds the Prometheus reporter on {@code 127.0.0.1:port} to {@code conf}. */
    public static void configure(Configuration conf, int port) {
        conf.setString(PREFIX + "factory.class", PrometheusMetrics.class.getName());
        conf.setString(PREFIX + "host", "127.0.0.1");
        conf.setString(PREFIX + "port", Integer.toString(port));
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new LoopbackPrometheusReporter(
                properties.getProperty("host", "127.0.0.1"),
                Integer.parseInt(properties.getProperty("port")));
    }
}
