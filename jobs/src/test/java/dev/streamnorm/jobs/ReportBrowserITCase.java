package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cli.StreamnormCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnorm report} of a drift run opens in a real headless browser (Debian's chromium,
 * network off) without script errors, and draws a chart per feature of the drifting key.
 */
class ReportBrowserITCase {
    private static final int DRIFTING = 3;

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @Test
    void theReportRendersAChartPerFeatureOfTheDriftingKey(@TempDir Path tmp) throws Exception {
        DriftData data = new DriftData(5, 3000, DRIFTING, 41L);
        Path in = tmp.resolve("in.jsonl");
        Path stats = tmp.resolve("served.json");
        Path drift = tmp.resolve("drift.jsonl");
        data.writeInput(in);
        data.writeStats(stats);
        DriftData.runEval(in, stats, tmp.resolve("out.jsonl"), drift, "--drift-interval", "2s");
        Path report = tmp.resolve("report/report.html");
        StringWriter out = new StringWriter();
        int exit =
                StreamnormCli.execute(
                        new String[] {
                            "report",
                            "--drift",
                            drift.toString(),
                            "--stats",
                            stats.toString(),
                            "--out",
                            report.toString()
                        },
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter(), true));
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("5 keys, 1 in alert [k3]");

        String html = Files.readString(report);
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//");

        HeadlessChromium.Page page = HeadlessChromium.load(report, tmp);
        assertThat(page.scriptErrors()).isEmpty();
        String section = section(page.dom, "k3");
        assertThat(section).contains("data-alert=\"true\"").contains("ALERT");
        assertThat(count(section, "<figure class=\"chart\"")).isEqualTo(2);
        assertThat(count(section, "<svg")).isEqualTo(2);
        assertThat(section).contains("k3 · feature 0").contains("k3 · feature 1");
        // The served stats beside the live ones, and the stats file's own columns.
        assertThat(section)
                .contains("served mean")
                .contains("live mean")
                .contains("served.json mean");
        assertThat(section(page.dom, "k0")).contains("data-alert=\"false\"");
    }

    @Test
    void aScriptErrorWouldBeSeen(@TempDir Path tmp) throws Exception {
        Path broken =
                Files.writeString(
                        tmp.resolve("broken.html"),
                        "<!DOCTYPE html><html><body><p>x</p><script>notDefined();</script>"
                                + "</body></html>");
        HeadlessChromium.Page page = HeadlessChromium.load(broken, tmp);
        assertThat(page.scriptErrors()).anyMatch(line -> line.contains("notDefined"));
        assertThat(page.dom).contains("<p>x</p>");
    }

    /** The section of {@code key} in the rendered DOM. */
    private static String section(String dom, String key) {
        Matcher matcher =
                Pattern.compile(
                                "<section class=\"key\"[^>]*data-key=\""
                                        + Pattern.quote(key)
                                        + "\".*?</section>",
                                Pattern.DOTALL)
                        .matcher(dom);
        assertThat(matcher.find()).as("a section of key %s", key).isTrue();
        return matcher.group();
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }
}
