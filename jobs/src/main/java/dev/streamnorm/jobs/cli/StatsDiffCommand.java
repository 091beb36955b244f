package dev.streamnorm.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamnorm.jobs.stats.SavepointStats;
import dev.streamnorm.jobs.stats.StatsDiff;
import dev.streamnorm.operators.StatsFile;
import java.io.PrintWriter;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code streamnorm stats diff A B}: how far B's stats moved from A's, key by key. */
@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Compares two stats files or savepoints: the keys only one has, and per key and"
                        + " feature the shift of B's mean in A's standard deviations"
                        + " ((mean_B - mean_A) / sqrt(var_A + eps)) and the variance ratio"
                        + " (var_B / (var_A + eps)). Lists the keys over the threshold and the"
                        + " keys on one side only (--all: every key).",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:compared (and nothing over --fail-above)",
            "1:some |shift| exceeds --fail-above, or a savepoint could not be read",
            "2:bad options or files"
        })
final class StatsDiffCommand implements Callable<Integer> {
    /** The listing threshold without {@code --fail-above}: the drift alert's default. */
    static final double DEFAULT_THRESHOLD = 3.0;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "Reference: stats file or savepoint")
    String a;

    @Parameters(index = "1", paramLabel = "B", description = "Compared: stats file or savepoint")
    String b;

    @Option(
            names = "--fail-above",
            paramLabel = "T",
            description =
                    "Exit 1 when some |shift| exceeds T (also the listing threshold; default"
                            + " listing threshold: 3)")
    Double failAbove;

    @Option(names = "--all", description = "List every common key, not only those over")
    boolean all;

    @Option(
            names = "--eps",
            paramLabel = "E",
            description = "Added to A's variance (default: A's eps, else 1e-5)")
    Double eps;

    @Option(names = "--json", description = "Print the difference as one JSON object")
    boolean json;

    @Mixin StatsCommand.SavepointOptions options = new StatsCommand.SavepointOptions();

    @Override
    public Integer call() {
        if (failAbove != null && !(failAbove >= 0)) {
            return ExitCodes.usageError(spec, "--fail-above must be >= 0, got " + failAbove);
        }
        StatsDiff diff;
        try {
            StatsFile reference = read(a);
            StatsFile compared = read(b);
            double epsilon = eps != null ? eps : reference.eps != null ? reference.eps : 1e-5;
            diff = StatsDiff.of(reference.stats, compared.stats, epsilon);
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        } catch (Exception e) {
            return ExitCodes.failed(spec, "cannot read the stats", e);
        }
        double threshold = failAbove != null ? failAbove : DEFAULT_THRESHOLD;
        List<StatsDiff.KeyDiff> over = diff.over(threshold);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            printJson(diff, threshold, out);
        } else {
            printTable(diff, threshold, over, out);
        }
        out.flush();
        return failAbove != null && !over.isEmpty() ? ExitCodes.FAILED : ExitCodes.OK;
    }

    private StatsFile read(String path) throws Exception {
        return StatsCommand.isSavepoint(path)
                ? SavepointStats.read(path, options.operator.uid, options.backend())
                : StatsFile.read(Paths.get(path));
    }

    private void printTable(
            StatsDiff diff, double threshold, List<StatsDiff.KeyDiff> over, PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "A: %s%nB: %s%nkeys: %d in both, %d only in A, %d only in B; %d over |shift| > %s%n",
                a,
                b,
                diff.common.size(),
                diff.onlyInA.size(),
                diff.onlyInB.size(),
                over.size(),
                threshold);
        for (String key : diff.onlyInA) {
            out.println("only in A: " + key);
        }
        for (String key : diff.onlyInB) {
            out.println("only in B: " + key);
        }
        List<StatsDiff.KeyDiff> rows = all ? diff.common : over;
        if (rows.isEmpty()) {
            return;
        }
        out.printf(
                Locale.ROOT,
                "%-20s %7s %14s %14s %10s %10s%n",
                "key",
                "feature",
                "mean A",
                "mean B",
                "shift",
                "var_ratio");
        for (StatsDiff.KeyDiff row : rows) {
            for (int c = 0; c < row.shift.length; c++) {
                out.printf(
                        Locale.ROOT,
                        "%-20s %7d %14.6g %14.6g %10.4f %10.4f%s%n",
                        row.key,
                        c,
                        row.meanA[c],
                        row.meanB[c],
                        row.shift[c],
                        row.varRatio[c],
                        Math.abs(row.shift[c]) <= threshold ? "" : " OVER");
            }
        }
    }

    private void printJson(StatsDiff diff, double threshold, PrintWriter out) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("a", a);
        root.put("b", b);
        root.put("eps", diff.eps);
        root.put("threshold", threshold);
        ArrayNode onlyA = root.putArray("only_in_a");
        diff.onlyInA.forEach(onlyA::add);
        ArrayNode onlyB = root.putArray("only_in_b");
        diff.onlyInB.forEach(onlyB::add);
        ArrayNode keys = root.putArray("keys");
        for (StatsDiff.KeyDiff row : diff.common) {
            boolean isOver = row.over(threshold);
            if (!all && !isOver) {
                continue;
            }
            ObjectNode key = keys.addObject();
            key.put("key", row.key);
            key.put("over", isOver);
            key.put("max_abs_shift", row.maxAbsShift());
            ArrayNode features = key.putArray("features");
            for (int c = 0; c < row.shift.length; c++) {
                features.addObject().put("shift", row.shift[c]).put("var_ratio", row.varRatio[c]);
            }
        }
        out.println(root.toString());
    }
}
