package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.Norm;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Bad configuration of {@code streamnorm run}: one clear line on stderr, exit code 2. */
class RunCommandTest {
    @TempDir Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return StreamnormCli.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    private String[] withEndpoints(String... options) {
        String[] args = new String[options.length + 5];
        args[0] = "run";
        args[1] = "--input";
        args[2] = tmp.resolve("in.jsonl").toUri().toString();
        args[3] = "--output";
        args[4] = "stdout";
        System.arraycopy(options, 0, args, 5, options.length);
        return args;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--norm group --shape 6 --groups 4 | groups must divide channels: 4 groups, 6 channels",
                "--norm group --shape 6 | group norm needs --groups",
                "--norm instance --shape 8 | instance norm needs --shape CxL with L >= 2",
                "--mode eval | eval mode needs statistics: --stats FILE or --from-savepoint PATH",
                "--momentum 1.5 | momentum must be in (0, 1] or 'cumulative', got 1.5",
                "--convention keras --momentum cumulative | momentum 'cumulative' exists only",
                "--batch-size 0 | batch-size must be positive, got 0",
                "--norm cosine | --norm must be one of batch, layer, group, instance, l2",
                "--delivery maybe | --delivery must be one of exactly-once, at-least-once",
                "--state-backend disk | --state-backend must be hashmap or rocksdb",
                "--shape 3x | shape must be C or CxL, got '3x'",
                "--batch-timeout soon | 'soon' is not a duration",
                "--scope everywhere | --scope must be one of key, global",
                "--scope global --shape 4 | --scope global batches by event time: it needs --batch-interval",
                "--stats /no/such/file.json | /no/such/file.json: no such stats file",
                "--stats-updates kafka://127.0.0.1:9/updates | --stats-updates needs --norm batch --mode eval --scope key",
                "--norm layer --stats-updates kafka://127.0.0.1:9/updates | --stats-updates needs --norm batch --mode eval --scope key",
                "--emit-stats-version | --emit-stats-version needs --stats-updates",
                "--norm standard --clip | --feature-range/--clip apply to --norm minmax only",
                "--clip | --feature-range/--clip apply to --norm minmax only",
                "--norm minmax --feature-range 1,0 | feature range must be MIN,MAX with MIN < MAX, got 1.0,0.0",
                "--norm minmax --feature-range 0;1 | --feature-range must be two numbers A,B, got '0;1'",
                "--norm robust --quantile-range 80,20 | quantile range must be Q1,Q3 with 0 <= Q1 <= Q3 <= 100",
                "--norm maxabs --no-with-centering | --quantile-range/--no-with-centering/--no-with-scaling/--unit-variance/--robust-exact apply to --norm robust only",
                "--norm robust --mode online --robust-exact | --robust-exact applies to --norm robust in train mode",
                "--norm robust --no-with-mean | --no-with-mean/--no-with-std apply to --norm standard only",
                "--norm robust --mode eval | eval mode needs statistics: --stats FILE or --from-savepoint PATH",
                "--norm standard --scope global | --scope global applies to batch norm only",
                "--norm minmax --mode online --momentum cumulative | momentum 'cumulative' exists only for batch norm",
            })
    void badOptionsGiveOneLineAndExitTwo(String options, String message) {
        int code = run(withEndpoints(options.trim().split(" ")));

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(message.trim());
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void badEndpointsGiveOneLineAndExitTwo() {
        assertThat(run("run", "--input", "kafka://nohost/topic", "--output", "stdout"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("a Kafka endpoint is kafka://host:port/topic");
        assertThat(run("run", "--input", "stdout", "--output", "stdout"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(run("run", "--input", "ftp://x/y", "--output", "stdout"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString())
                .contains(
                        "use kafka://host:port/topic, file:///path.jsonl (or a plain path) or stdout");
    }

    @Test
    void statsOfAnotherNormAreOneLine() throws Exception {
        Path batch = tmp.resolve("batch.json");
        Files.writeString(batch, "{\"running_mean\": [0], \"running_var\": [1]}");
        Path scaler = tmp.resolve("scaler.json");
        Files.writeString(
                scaler,
                "{\"sklearn\": \"MinMaxScaler\", \"attributes\": {\"scale_\": [1], \"min_\": [0]}}");
        assertThat(
                        run(
                                withEndpoints(
                                        "--norm",
                                        "standard",
                                        "--mode",
                                        "eval",
                                        "--stats",
                                        scaler.toString())))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().trim())
                .endsWith("the stats are of the minmax scaler, --norm is standard");
        assertThat(
                        run(
                                withEndpoints(
                                        "--norm",
                                        "batch",
                                        "--mode",
                                        "eval",
                                        "--stats",
                                        scaler.toString())))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("the stats of a scaler: use them with --norm minmax");
        assertThat(
                        run(
                                withEndpoints(
                                        "--norm",
                                        "robust",
                                        "--mode",
                                        "eval",
                                        "--stats",
                                        batch.toString())))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("expected the stats of a scaler");
        assertThat(err.toString()).doesNotContain("Exception");
    }

    @Test
    void aMalformedStatsFileIsNamedInTheMessage() throws Exception {
        Path stats = Files.writeString(tmp.resolve("stats.json"), "{\"format\": \"other\"}");

        int code = run(withEndpoints("--mode", "eval", "--stats", stats.toString()));

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString())
                .contains("stats.json")
                .contains("expected \"format\": \"streamnorm.stats/v1\" or a PyTorch state_dict");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--stats-updates file:///tmp/updates.jsonl | --stats-updates must be kafka://host:port/topic",
                "--stats-updates kafka://127.0.0.1:9/u --scope global | --stats-updates needs --norm batch --mode eval --scope key",
                "--stats-updates kafka://127.0.0.1:9/u --stats-updates-idle 0s | --stats-updates-idle must be positive",
                "--emit-stats-version --stats-updates-idle 2s | --emit-stats-version needs --stats-updates",
            })
    void badStatsUpdateOptionsInEvalModeGiveOneLineAndExitTwo(String options, String message)
            throws Exception {
        Path stats =
                Files.writeString(
                        tmp.resolve("stats.json"),
                        "{\"running_mean\": [0, 1], \"running_var\": [1, 2]}");
        String[] evalOptions = ("--mode eval --stats " + stats + " " + options.trim()).split(" ");

        int code = run(withEndpoints(evalOptions));

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(message.trim());
        assertThat(err.toString().trim().lines()).hasSize(1);
    }

    @Test
    void statsOutNeedsBoundedInput() {
        int code =
                run(
                        "run",
                        "--input",
                        "kafka://127.0.0.1:9/in",
                        "--output",
                        "stdout",
                        "--stats-out",
                        tmp.resolve("s.json").toString());

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString())
                .contains("--stats-out needs bounded input (file://, or kafka:// with --bounded)");
    }

    @Test
    void boundedAppliesToKafkaInputOnly() {
        int code = run(withEndpoints("--bounded"));

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString())
                .contains("--bounded applies to kafka:// input only (file:// input is bounded")
                .doesNotContain("Exception");
    }

    @Test
    void boundedKafkaInputTakesStatsOut() {
        RunCommand command = new RunCommand();
        new CommandLine(command)
                .parseArgs(
                        "--input",
                        "kafka://127.0.0.1:9092/in",
                        "--output",
                        "stdout",
                        "--bounded",
                        "--stats-out",
                        tmp.resolve("s.json").toString());

        JobConfig config = command.jobConfig();

        assertThat(config.bounded).isTrue();
        assertThat(config.statsOut).isEqualTo(tmp.resolve("s.json"));
        assertThat(config.normalization.emitFinalStats()).isTrue();
    }

    @Test
    void aScalersStatsFileChoosesTheNormWhenNoneIsGiven() throws Exception {
        Path scaler = tmp.resolve("scaler.json");
        Files.writeString(
                scaler,
                "{\"sklearn\": \"RobustScaler\", \"params\": {\"quantile_range\": [10, 90]},"
                        + " \"attributes\": {\"center_\": [1], \"scale_\": [2]}}");
        RunCommand command = new RunCommand();
        new CommandLine(command)
                .parseArgs(
                        "--input",
                        "kafka://127.0.0.1:9092/in",
                        "--output",
                        "stdout",
                        "--mode",
                        "eval",
                        "--stats",
                        scaler.toString());

        JobConfig config = command.jobConfig();

        assertThat(config.normalization.norm()).isEqualTo(Norm.ROBUST);
        assertThat(config.normalization.scalerParams().quantileLow).isEqualTo(10.0);
        assertThat(config.normalization.describe())
                .isEqualTo("robust eval quantile_range=10.0,90.0");
    }

    @Test
    void robustExactModeIsAnOption() {
        RunCommand command = new RunCommand();
        new CommandLine(command)
                .parseArgs(
                        "--input",
                        "kafka://127.0.0.1:9092/in",
                        "--output",
                        "stdout",
                        "--norm",
                        "robust",
                        "--robust-exact",
                        "--no-with-centering");

        JobConfig config = command.jobConfig();

        assertThat(config.normalization.robustExact()).isTrue();
        assertThat(config.normalization.scalerParams().withCentering).isFalse();
    }

    @Test
    void kafkaInputIsUnboundedByDefault() {
        RunCommand command = new RunCommand();
        new CommandLine(command)
                .parseArgs("--input", "kafka://127.0.0.1:9092/in", "--output", "stdout");

        assertThat(command.jobConfig().bounded).isFalse();
    }

    @Test
    void aBadAlignToReferenceIsOneLine() throws Exception {
        Path twoKeys =
                Files.writeString(
                        tmp.resolve("two.json"),
                        "{\"format\": \"streamnorm.stats/v1\", \"keys\": {"
                                + "\"a\": {\"running_mean\": [0, 0], \"running_var\": [1, 1]},"
                                + "\"b\": {\"running_mean\": [0, 0], \"running_var\": [1, 1]}}}");
        String[][] cases = {
            {"--align-to", twoKeys.toString(), "2 entries and no '*': name one as FILE#KEY"},
            {"--align-to", twoKeys + "#c", "has no entry 'c'"},
            {"--align-to", twoKeys + "#a", "--shape", "3", "reference has 2 channels, shape 3"},
            {"--align-to", twoKeys + "#a", "--norm", "l2", "--align-to does not apply to l2"},
            {"--align-to", twoKeys + "#a", "--norm", "layer", "layer norm needs --shape"},
        };
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            String[] options = java.util.Arrays.copyOf(c, c.length - 1);

            assertThat(run(withEndpoints(options))).as("%s", (Object) c).isEqualTo(ExitCodes.USAGE);
            assertThat(err.toString()).contains(c[c.length - 1]);
            assertThat(err.toString().trim().lines()).hasSize(1);
        }
    }
}
