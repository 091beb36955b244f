package dev.streamnorm.jobs.report;

import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.operators.StatsTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes the drift report of a drift file or topic ({@code streamnorm report}). */
public final class DriftReportWriter {
    private DriftReportWriter() {}

    /** What the report said: how many keys it covers and which alert. */
    public static final class Summary {
        public final int keys;
        public final List<String> alerting;

        Summary(int keys, List<String> alerting) {
            this.keys = keys;
            this.alerting = alerting;
        }
    }

    /**
     * Reads the drift records of {@code source} and writes the page to {@code out}.
     *
     * @throws IllegalArgumentException if the source is missing, empty or not drift records
     */
    public static Summary write(
            String source,
            KafkaSettings kafka,
            Map<String, StatsTable> statsFiles,
            double shiftThreshold,
            double psiThreshold,
            int maxKeys,
            Path out)
            throws IOException {
        DriftHistory history = DriftHistory.of(DriftSource.read(source, kafka));
        if (history.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no drift records");
        }
        String html =
                new ReportPage(history, statsFiles, shiftThreshold, psiThreshold, maxKeys)
                        .render(source);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, html, StandardCharsets.UTF_8);
        List<String> alerting = new ArrayList<>();
        for (String key : history.keys()) {
            List<DriftHistory.Point> points = history.of(key);
            if (points.get(points.size() - 1).alert) {
                alerting.add(key);
            }
        }
        return new Summary(history.keys().size(), alerting);
    }
}
