package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cli.StreamnormCli;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnorm stats export|import|show} on real savepoints: a train job's savepoint exports
 * the stats the job ended with, savepoint → file → savepoint → file is exact, and an eval job
 * started from an imported savepoint writes exactly what an eval job given the file writes.
 */
class StatsSavepointITCase {
    private static final int RECORDS = 3_000;
    private static final int KEYS = 6;
    private static final int CHANNELS = 4;
    private static final int BATCH_SIZE = 16;
    private static final double EPS = 1e-3;
    private static final double[] WEIGHT = {1.5, 0.5, 2.0, 1.0};
    private static final double[] BIAS = {0.1, -0.2, 0.0, 3.0};
    private static final RunningStats ANY_KEY =
            RunningStats.of(new double[] {1e6, 100, 200, 300}, new double[] {4, 9, 16, 25}, 7);

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void aTrainSavepointRoundTripsAndServesEvalLikeItsFile(@TempDir Path tmp) throws Exception {
        List<FeatureData.Input> inputs =
                FeatureData.generate(RECORDS, KEYS, CHANNELS, 0, false, 5L);
        Path initial = tmp.resolve("initial.json");
        new StatsFile(
                        StatsTable.of(Map.of(StatsTable.ANY_KEY, ANY_KEY)),
                        RecordShape.vector(CHANNELS),
                        EPS,
                        "0.1",
                        "pytorch",
                        Affine.of(WEIGHT, BIAS))
                .write(initial, List.of(StatsTable.ANY_KEY));

        Path trained = trainAndSavepoint(inputs, initial, tmp);
        Path exported = tmp.resolve("exported.json");
        assertThat(cli("stats", "export", "--savepoint", trained.toString(), "--out", exported))
                .contains("wrote " + (KEYS + 1) + " entries");

        StatsFile file = StatsFile.read(exported);
        assertThat(file.eps).isEqualTo(EPS);
        assertThat(file.affine).isEqualTo(Affine.of(WEIGHT, BIAS));
        assertThat(file.shape).isEqualTo(RecordShape.vector(CHANNELS));
        assertThat(file.momentum).isEqualTo("0.1");
        assertThat(file.convention).isEqualTo("pytorch");
        assertThat(file.stats.lookupExact(StatsTable.ANY_KEY)).isEqualTo(ANY_KEY);
        StatsFile finalStats = finalStatsOfAFileRun(inputs, initial, tmp);
        assertThat(file.stats.keys()).hasSize(KEYS + 1);
        for (String key : finalStats.stats.keys()) {
            assertThat(file.stats.lookupExact(key))
                    .as("exported stats of %s = the job's final stats", key)
                    .isEqualTo(finalStats.stats.lookupExact(key));
        }

        Path imported = tmp.resolve("imported");
        assertThat(cli("stats", "import", "--in", exported, "--savepoint-out", imported))
                .contains("wrote " + (KEYS + 1) + " entries to savepoint");
        Path again = tmp.resolve("again.json");
        cli("stats", "export", "--savepoint", imported.toString(), "--out", again);
        assertThat(Files.readString(again))
                .as("savepoint → file → savepoint → file")
                .isEqualTo(Files.readString(exported));

        Path records = evalInput(tmp);
        List<String> fromSavepoint =
                eval(records, tmp.resolve("eval-savepoint.jsonl"), "--from-savepoint", imported);
        List<String> fromFile = eval(records, tmp.resolve("eval-file.jsonl"), "--stats", exported);
        assertThat(fromSavepoint).hasSize(KEYS * 3 + 3).isEqualTo(fromFile);
        double[] unseen = Messages.values(Messages.parse(fromFile.get(fromFile.size() - 1)));
        for (int c = 0; c < CHANNELS; c++) {
            double x = 1e6 + c;
            double expected =
                    (x - ANY_KEY.mean(c)) / Math.sqrt(ANY_KEY.variance(c) + EPS) * WEIGHT[c]
                            + BIAS[c];
            assertThat(unseen[c]).as("unseen key, channel %s, via '*'", c).isEqualTo(expected);
        }

        String table = cli("stats", "show", imported.toString(), "--key", "*");
        assertThat(table)
                .contains("layer: shape 4, momentum 0.1, convention pytorch, eps 0.001, affine 4")
                .contains("running_mean")
                .containsPattern("\\*\\s+3\\s+300\\.000\\s+25\\.0000\\s+5\\.00000\\s+7\\n");
    }

    @Test
    void anImportedPyTorchStateDictServesEvalLikeTheStateDict(@TempDir Path tmp) throws Exception {
        Path stateDict = tmp.resolve("bn.json");
        Files.writeString(
                stateDict,
                "{\"running_mean\": [0.5, -1.25, 3.0, 10.0], \"running_var\": [2.0, 0.25, 9.0,"
                        + " 100.0], \"num_batches_tracked\": 40, \"weight\": [1.0, 2.0, 0.5,"
                        + " 1.0], \"bias\": [0.0, 0.1, 0.2, 0.3]}");
        Path imported = tmp.resolve("imported");
        cli("stats", "import", "--in", stateDict, "--savepoint-out", imported);
        Path records = evalInput(tmp);
        List<String> fromSavepoint =
                eval(records, tmp.resolve("eval-savepoint.jsonl"), "--from-savepoint", imported);
        List<String> fromStateDict =
                eval(records, tmp.resolve("eval-file.jsonl"), "--stats", stateDict);
        assertThat(fromSavepoint).hasSize(KEYS * 3 + 3).isEqualTo(fromStateDict);
        double[] first = Messages.values(Messages.parse(fromStateDict.get(0)));
        assertThat(first[1]).isEqualTo((1e6 + 1 - -1.25) / Math.sqrt(0.25 + 1e-5) * 2.0 + 0.1);
    }

    @Test
    void badPathsAndKeysAreOneLineUsageErrors(@TempDir Path tmp) throws Exception {
        Path notASavepoint = Files.writeString(tmp.resolve("x.json"), "{}");
        assertThat(exitCode("stats", "export", "--savepoint", notASavepoint, "--out", tmp))
                .isEqualTo(2);
        assertThat(exitCode("stats", "show", tmp.resolve("missing.json"))).isEqualTo(2);
        Path stateDict =
                Files.writeString(
                        tmp.resolve("bn.json"),
                        "{\"running_mean\": [0.5], \"running_var\": [2.0]}");
        assertThat(exitCode("stats", "show", stateDict, "--key", "nope")).isEqualTo(2);
        assertThat(exitCode("stats", "import", "--in", notASavepoint, "--savepoint-out", tmp))
                .isEqualTo(2);
    }

    /** Trains from Kafka at parallelism 2 and stops with a savepoint; returns its directory. */
    private static Path trainAndSavepoint(List<FeatureData.Input> inputs, Path initial, Path tmp)
            throws Exception {
        String topic = "stats-train-input";
        KAFKA.kafka().createTopics(2, topic, "stats-train-output", "stats-train-dead");
        TestKafka.produce(KAFKA.kafka().bootstrapServers(), topic, inputs);
        StatsFile start = StatsFile.read(initial);
        Normalization normalization =
                Normalization.builder()
                        .setShape(RecordShape.vector(CHANNELS))
                        .setBatchSize(BATCH_SIZE)
                        .setBatchTimeout(Duration.ZERO)
                        .setEps(EPS)
                        .setAffine(start.affine)
                        .setInitialStats(start.stats)
                        .build();
        JobConfig config =
                KafkaJobs.config(
                        "stats-train",
                        KAFKA.kafka(),
                        topic,
                        "stats-train-output",
                        "stats-train-dead",
                        normalization,
                        Duration.ofMillis(500),
                        2);
        Path savepoints = Files.createDirectory(tmp.resolve("savepoints"));
        KafkaJobs.runToEndOfInput(KAFKA.kafka(), config, savepoints);
        try (Stream<Path> dirs = Files.list(savepoints)) {
            return dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    /** The same training from a file, with the final stats written by {@code --stats-out}. */
    private static StatsFile finalStatsOfAFileRun(
            List<FeatureData.Input> inputs, Path initial, Path tmp) throws Exception {
        Path in = tmp.resolve("train.jsonl");
        List<String> lines = new ArrayList<>();
        for (FeatureData.Input input : inputs) {
            lines.add(input.text());
        }
        Files.write(in, lines, StandardCharsets.UTF_8);
        Path statsOut = tmp.resolve("final-stats.json");
        cli(
                "run",
                "--input",
                in.toUri(),
                "--output",
                tmp.resolve("train-out.jsonl").toUri(),
                "--stats",
                initial,
                "--batch-size",
                BATCH_SIZE,
                "--batch-timeout",
                "0",
                "--stats-out",
                statsOut,
                "--parallelism",
                1);
        return StatsFile.read(statsOut);
    }

    /** Three records of every trained key, then three of a key that only '*' serves. */
    private static Path evalInput(Path tmp) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int k = 0; k < KEYS + 1; k++) {
            String key = k < KEYS ? FeatureData.keyName(k) : "unseen";
            for (int i = 0; i < 3; i++) {
                double[] values = new double[CHANNELS];
                for (int c = 0; c < CHANNELS; c++) {
                    values[c] = 1e6 + c + (k < KEYS ? i * 0.5 : 0);
                }
                lines.add(FeatureData.clean(k * 10L + i, key, values));
            }
        }
        Path in = tmp.resolve("eval.jsonl");
        Files.write(in, lines, StandardCharsets.UTF_8);
        return in;
    }

    private static List<String> eval(Path in, Path out, String statsOption, Path stats)
            throws Exception {
        cli(
                "run",
                "--mode",
                "eval",
                "--input",
                in.toUri(),
                "--output",
                out.toUri(),
                statsOption,
                stats,
                "--parallelism",
                1);
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }

    /** Runs the command line, asserts exit code 0 and returns its stdout. */
    private static String cli(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = execute(args, out, err);
        assertThat(exit).as("exit code of %s; stderr: %s", List.of(args), err).isZero();
        return out.toString();
    }

    private static int exitCode(Object... args) {
        StringWriter err = new StringWriter();
        int exit = execute(args, new StringWriter(), err);
        assertThat(err.toString().strip()).as("one line on stderr").doesNotContain("\n");
        return exit;
    }

    private static int execute(Object[] args, StringWriter out, StringWriter err) {
        String[] text = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            text[i] = args[i].toString();
        }
        return StreamnormCli.execute(text, new PrintWriter(out, true), new PrintWriter(err, true));
    }
}
