package org.apache.flink.metrics.prometheus;

import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * Flink's Prometheus reporter ({@link AbstractPrometheusReporter}: the same metric names, labels
 * and types as {@link PrometheusReporter}) served on one address instead of every interface, so
 * that a local run exposes its metrics on 127.0.0.1 only. It lives in Flink's package to reach the
 * reporter's registry.
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {
    private final HTTPServer server;

    /** Serves {@code /metrics} on {@code host:port}. */
    public LoopbackPrometheusReporter(String host, int port) {
        try {
            server = new HTTPServer(new InetSocketAddress(host, port), registry);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve Prometheus metrics on " + host + ":" + port, e);
        }
        log.info("Prometheus metrics on http://{}:{}/metrics", host, port);
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }
}
