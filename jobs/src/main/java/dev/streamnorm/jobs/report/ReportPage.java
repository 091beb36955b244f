package dev.streamnorm.jobs.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RunningStats;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The drift report: one self-contained HTML page (template {@code report.mustache}, no scripts, no
 * external resources) with a summary of every key and, for the keys that drift most (alerting keys
 * first), the served stats beside the live ones and a chart per feature ({@link DriftCharts}).
 */
final class ReportPage {
    private static final String TEMPLATE = "dev/streamnorm/jobs/report/report.mustache";

    private final DriftHistory history;
    private final Map<String, StatsTable> statsFiles;
    private final double shiftThreshold;
    private final double psiThreshold;
    private final int maxKeys;

    ReportPage(
            DriftHistory history,
            Map<String, StatsTable> statsFiles,
            double shiftThreshold,
            double psiThreshold,
            int maxKeys) {
        this.history = history;
        this.statsFiles = statsFiles;
        this.shiftThreshold = shiftThreshold;
        this.psiThreshold = psiThreshold;
        this.maxKeys = maxKeys;
    }

    /** The page of the drift records read from {@code source}. */
    String render(String source) {
        List<String> keys = history.keys();
        keys.sort(
                Comparator.comparing((String key) -> !last(key).alert)
                        .thenComparing(key -> -worstShift(last(key)))
                        .thenComparing(Comparator.naturalOrder()));
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("source", source);
        page.put("keyCount", keys.size());
        page.put("alertCount", keys.stream().filter(key -> last(key).alert).count());
        page.put("shiftThreshold", shiftThreshold);
        page.put("psiThreshold", psiThreshold);
        List<Map<String, Object>> summary = new ArrayList<>();
        List<Map<String, Object>> sections = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            boolean charted = i < maxKeys;
            summary.add(summaryRow(key, "key-" + i, charted));
            if (charted) {
                sections.add(section(key, "key-" + i));
            }
        }
        page.put("summary", summary);
        page.put("keys", sections);
        page.put("omitted", keys.size() > maxKeys ? keys.size() - maxKeys : null);
        Mustache template = new DefaultMustacheFactory().compile(TEMPLATE);
        StringWriter html = new StringWriter();
        template.execute(html, page);
        return html.toString();
    }

    private DriftHistory.Point last(String key) {
        List<DriftHistory.Point> points = history.of(key);
        return points.get(points.size() - 1);
    }

    private static int worstFeature(DriftHistory.Point point) {
        int worst = 0;
        for (int c = 1; c < point.features.size(); c++) {
            if (Math.abs(point.features.get(c).shift) > Math.abs(point.features.get(worst).shift)) {
                worst = c;
            }
        }
        return worst;
    }

    private static double worstShift(DriftHistory.Point point) {
        double shift = Math.abs(point.features.get(worstFeature(point)).shift);
        return Double.isNaN(shift) ? 0 : shift;
    }

    private static double maxPsi(DriftHistory.Point point) {
        double max = 0;
        for (DriftHistory.Feature f : point.features) {
            max = Math.max(max, f.psi);
        }
        return max;
    }

    private Map<String, Object> summaryRow(String key, String anchor, boolean charted) {
        DriftHistory.Point last = last(key);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("key", key);
        row.put("anchor", anchor);
        row.put("charted", charted);
        row.put("records", last.records);
        row.put("points", history.of(key).size());
        row.put("alerts", history.of(key).stream().filter(p -> p.alert).count());
        int worst = worstFeature(last);
        row.put("worstFeature", worst);
        row.put("worstShift", format(last.features.get(worst).shift));
        row.put("maxPsi", format(maxPsi(last)));
        row.put("status", last.alert ? "ALERT" : "ok");
        row.put("rowClass", last.alert ? "alert" : "");
        return row;
    }

    private Map<String, Object> section(String key, String anchor) {
        List<DriftHistory.Point> points = history.of(key);
        DriftHistory.Point last = last(key);
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("key", key);
        section.put("anchor", anchor);
        section.put("alert", last.alert);
        section.put("records", last.records);
        section.put("version", last.statsVersion);
        section.put("points", points.size());
        section.put("alerts", points.stream().filter(p -> p.alert).count());
        section.put("firstAlert", firstAlert(points));
        List<String> columns = new ArrayList<>();
        for (String file : statsFiles.keySet()) {
            columns.add(file + " mean");
            columns.add(file + " var");
        }
        section.put("statsColumns", columns);
        List<Map<String, Object>> features = new ArrayList<>();
        for (int c = 0; c < last.features.size(); c++) {
            features.add(feature(key, c, last.features.get(c), points));
        }
        section.put("features", features);
        return section;
    }

    private Map<String, Object> feature(
            String key, int c, DriftHistory.Feature f, List<DriftHistory.Point> points) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("index", c);
        row.put("servedMean", format(f.servedMean));
        row.put("servedVar", format(f.servedVariance));
        row.put("mean", format(f.mean));
        row.put("var", format(f.variance));
        row.put("shift", format(f.shift));
        row.put("varRatio", format(f.varRatio));
        row.put("psi", format(f.psi));
        row.put(
                "rowClass",
                Math.abs(f.shift) >= shiftThreshold || f.psi >= psiThreshold ? "alert" : "");
        List<String> values = new ArrayList<>();
        for (StatsTable table : statsFiles.values()) {
            RunningStats stats = table.lookup(key).orElse(null);
            boolean fits = stats != null && c < stats.channels();
            values.add(fits ? format(stats.mean(c)) : "–");
            values.add(fits ? format(stats.variance(c)) : "–");
        }
        row.put("statsValues", values);
        row.put("svg", DriftCharts.featureChart(key, c, points, shiftThreshold, psiThreshold));
        return row;
    }

    private static String firstAlert(List<DriftHistory.Point> points) {
        for (DriftHistory.Point point : points) {
            if (point.alert) {
                return point.ts == null
                        ? point.records + " records"
                        : Instant.ofEpochMilli(point.ts).toString();
            }
        }
        return null;
    }

    private static String format(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4g", value) : "–";
    }
}
