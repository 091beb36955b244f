package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RunningStats;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamnorm stats diff A B} on stats files: what it lists, flags and exits with. */
class StatsDiffCommandTest {
    private static final double EPS = 1e-3;
    private static final int KEYS = 200;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object... args) {
        String[] text = new String[args.length + 2];
        text[0] = "stats";
        text[1] = "diff";
        for (int i = 0; i < args.length; i++) {
            text[i + 2] = args[i].toString();
        }
        return StreamnormCli.execute(text, new PrintWriter(out), new PrintWriter(err));
    }

    /** Files A and B: B moves key-7's feature 1 by 5 σ and key-12's by 2.5 σ; one key each side. */
    private static Path[] files(Path tmp) throws Exception {
        Random random = new Random(3);
        Map<String, RunningStats> a = new LinkedHashMap<>();
        Map<String, RunningStats> b = new LinkedHashMap<>();
        for (int k = 0; k < KEYS; k++) {
            double[] mean = {random.nextGaussian(), random.nextGaussian() * 10};
            double[] var = {0.5 + random.nextDouble(), 1 + random.nextDouble() * 3};
            double sd = Math.sqrt(var[1] + EPS);
            double moved = k == 7 ? 5 : k == 12 ? -2.5 : random.nextGaussian() * 0.1;
            double[] meanB = {mean[0], mean[1] + moved * sd};
            a.put("key-" + k, RunningStats.of(mean, var.clone(), 3));
            b.put("key-" + k, RunningStats.of(meanB, new double[] {var[0], var[1] * 2}, 4));
        }
        a.put("gone", RunningStats.initial(2));
        b.put("new", RunningStats.initial(2));
        Path fileA = tmp.resolve("a.json");
        Path fileB = tmp.resolve("b.json");
        write(a, fileA);
        write(b, fileB);
        return new Path[] {fileA, fileB};
    }

    private static void write(Map<String, RunningStats> stats, Path file) throws Exception {
        new StatsFile(StatsTable.of(stats), null, EPS, "0.1", "pytorch", Affine.identity())
                .write(file, new ArrayList<>(stats.keySet()));
    }

    @Test
    void listsOnlyTheKeysOverTheThresholdAndThoseOnOneSide(@TempDir Path tmp) throws Exception {
        Path[] files = files(tmp);
        assertThat(run(files[0], files[1])).as("stderr: %s", err).isZero();
        String text = out.toString();
        assertThat(text)
                .contains("keys: 200 in both, 1 only in A, 1 only in B; 1 over |shift| > 3.0")
                .contains("only in A: gone")
                .contains("only in B: new")
                .containsPattern("key-7 +1 .* 5\\.0000 +1\\.99[0-9]{2} OVER");
        assertThat(text).doesNotContain("key-12").doesNotContain("key-3 ");
    }

    @Test
    void failAboveExitsOneWhenSomeShiftExceedsIt(@TempDir Path tmp) throws Exception {
        Path[] files = files(tmp);
        assertThat(run(files[0], files[1], "--fail-above", "6")).isZero();
        assertThat(run(files[0], files[1], "--fail-above", "4.9")).isOne();
        assertThat(run(files[0], files[0], "--fail-above", "0")).isZero();
    }

    @Test
    void jsonNamesExactlyTheKeysOverAndAllListsEveryKey(@TempDir Path tmp) throws Exception {
        Path[] files = files(tmp);
        assertThat(run(files[0], files[1], "--fail-above", "2", "--json")).isOne();
        JsonNode diff = new ObjectMapper().readTree(out.toString());
        List<String> over = new ArrayList<>();
        diff.get("keys").forEach(key -> over.add(key.get("key").asText()));
        assertThat(over).containsExactly("key-12", "key-7");
        JsonNode seven = diff.get("keys").get(1);
        assertThat(seven.get("features").get(1).get("shift").asDouble())
                .isCloseTo(5.0, within(1e-12));
        assertThat(seven.get("features").get(0).get("shift").asDouble()).isZero();
        assertThat(diff.get("only_in_a").get(0).asText()).isEqualTo("gone");

        out.getBuffer().setLength(0);
        assertThat(run(files[0], files[1], "--all", "--json")).isZero();
        assertThat(new ObjectMapper().readTree(out.toString()).get("keys")).hasSize(KEYS);
    }

    @Test
    void badInputIsOneLineAndExitTwo(@TempDir Path tmp) throws Exception {
        Path[] files = files(tmp);
        assertThat(run(files[0], tmp.resolve("missing.json"))).isEqualTo(2);
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(run(files[0], files[1], "--fail-above", "-1")).isEqualTo(2);
        Map<String, RunningStats> three = Map.of("key-1", RunningStats.initial(3));
        Path other = tmp.resolve("three.json");
        write(three, other);
        assertThat(run(files[0], other)).isEqualTo(2);
        assertThat(err.toString()).contains("the stats have 2 and 3 channels");
    }
}
