package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.report.DriftReportWriter;
import dev.streamnorm.operators.DriftSettings;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamnorm report}: the drift records of a run as one self-contained HTML page. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Writes one self-contained HTML page (charts inline as SVG, no network needed) of"
                        + " the drift records of a run: per key, shift and psi over time per"
                        + " feature with the thresholds, the alerts, and the served stats beside"
                        + " the live ones.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "1:the records could not be read", "2:bad options or files"})
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--drift",
            required = true,
            paramLabel = "FILE|URI",
            description = "Drift records: a JSON-lines file, file:// or kafka://host:port/topic")
    String drift;

    @Option(
            names = "--stats",
            paramLabel = "FILE",
            description = "A stats file to show beside the live stats (repeatable)")
    List<Path> stats = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The page")
    Path out;

    @Option(
            names = "--drift-threshold",
            paramLabel = "T",
            description = "The |shift| threshold drawn (default: ${DEFAULT-VALUE})",
            defaultValue = "3")
    double threshold;

    @Option(
            names = "--drift-psi",
            paramLabel = "P",
            description = "The psi threshold drawn (default: ${DEFAULT-VALUE})",
            defaultValue = "0.25")
    double psi;

    @Option(
            names = "--max-keys",
            paramLabel = "N",
            defaultValue = "50",
            description =
                    "Charts for the N keys that drift most, alerting keys first; every key is in"
                            + " the summary (default: ${DEFAULT-VALUE})")
    int maxKeys;

    @Option(
            names = "--kafka-property",
            paramLabel = "K=V",
            description = "Kafka client property for reading a drift topic (repeatable)")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Override
    public Integer call() {
        Map<String, StatsTable> tables = new LinkedHashMap<>();
        DriftReportWriter.Summary summary;
        try {
            DriftSettings.of(null, DriftSettings.DEFAULT_MOMENTUM, threshold, psi);
            if (maxKeys < 0) {
                throw new IllegalArgumentException("--max-keys must be >= 0, got " + maxKeys);
            }
            for (Path file : stats) {
                tables.put(file.getFileName().toString(), StatsFile.read(file).stats);
            }
            summary =
                    DriftReportWriter.write(
                            drift,
                            new KafkaSettings(kafkaProperties),
                            tables,
                            threshold,
                            psi,
                            maxKeys,
                            out);
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot write the report", e);
        }
        spec.commandLine()
                .getOut()
                .printf(
                        "wrote %s: %d keys, %d in alert%s%n",
                        out.toAbsolutePath(),
                        summary.keys,
                        summary.alerting.size(),
                        summary.alerting.isEmpty() ? "" : " " + summary.alerting);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
