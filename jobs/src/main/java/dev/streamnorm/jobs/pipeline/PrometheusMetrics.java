package dev.streamnorm.jobs.pipeline;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;

/**
 * Flink's Prometheus reporter (flink-metrics-prometheus) for local runs: the job's metrics, Flink's
 * and streamnorm's, at {@code http://127.0.0.1:PORT/metrics}. streamnorm's metrics are exported
 * under their operator scope, e.g. {@code flink_taskmanager_job_task_operator_recordsNormalized}
 * (README "Metrics").
 */
public final class PrometheusMetrics {
    /** The reporter's name in the configuration ({@code metrics.reporter.prom.*}). */
    public static final String REPORTER = "prom";

    private PrometheusMetrics() {}

    /** Adds the Prometheus reporter on {@code port} to {@code conf}. */
    public static void configure(Configuration conf, int port) {
        conf.setString(
                MetricOptions.REPORTER_FACTORY_CLASS.key().replace("<name>", REPORTER),
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter." + REPORTER + ".port", Integer.toString(port));
    }
}
