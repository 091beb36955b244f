package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cli.StreamnormCli;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamnorm stats diff} reads savepoints as well as stats files. */
class StatsDiffSavepointITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @Test
    void aSavepointDiffsLikeItsStatsFile(@TempDir Path tmp) throws Exception {
        Map<String, RunningStats> a = new LinkedHashMap<>();
        a.put("x", RunningStats.of(new double[] {0, 10}, new double[] {1, 4}, 5));
        a.put("y", RunningStats.of(new double[] {1, 1}, new double[] {1, 1}, 5));
        Map<String, RunningStats> b = new LinkedHashMap<>();
        b.put("x", RunningStats.of(new double[] {0.5, 10}, new double[] {1, 4}, 6));
        b.put("y", RunningStats.of(new double[] {1, 9}, new double[] {1, 1}, 6));
        Path fileA = tmp.resolve("a.json");
        Path fileB = tmp.resolve("b.json");
        write(a, fileA);
        write(b, fileB);
        Path savepoint = tmp.resolve("sp");
        assertThat(
                        cli(
                                        "stats",
                                        "import",
                                        "--in",
                                        fileA.toString(),
                                        "--savepoint-out",
                                        savepoint.toString())
                                .exit)
                .isZero();

        Cli fromFile =
                cli("stats", "diff", fileA.toString(), fileB.toString(), "--fail-above", "3");
        Cli fromSavepoint =
                cli("stats", "diff", savepoint.toString(), fileB.toString(), "--fail-above", "3");
        assertThat(fromSavepoint.exit).as("stderr: %s", fromSavepoint.err).isOne();
        assertThat(fromFile.exit).isOne();
        assertThat(fromSavepoint.out)
                .contains("1 over |shift| > 3.0")
                .containsPattern("y +1 .* 8\\.0000 .* OVER");
        assertThat(rows(fromSavepoint.out)).isEqualTo(rows(fromFile.out));
    }

    private static List<String> rows(String text) {
        return text.lines().filter(line -> !line.startsWith("A: ")).toList();
    }

    private static void write(Map<String, RunningStats> stats, Path file) throws Exception {
        new StatsFile(
                        StatsTable.of(stats),
                        RecordShape.vector(2),
                        0.0,
                        "0.1",
                        "pytorch",
                        Affine.identity())
                .write(file, List.copyOf(stats.keySet()));
    }

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                StreamnormCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(exit, out.toString(), err.toString());
    }

    private static final class Cli {
        final int exit;
        final String out;
        final String err;

        Cli(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }
    }
}
