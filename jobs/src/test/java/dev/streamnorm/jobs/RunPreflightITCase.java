package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cli.ExitCodes;
import dev.streamnorm.jobs.cli.StreamnormCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose input, output or broker is wrong ends before its job starts, with one line on stderr
 * and exit code 2; a bounded run that follows stats updates ends when its input does.
 */
class RunPreflightITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return StreamnormCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private String kafka(String topic) {
        return "kafka://" + KAFKA.kafka().bootstrapServers() + "/" + topic;
    }

    private void assertOneLineUsageError(int exit, String message) {
        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().trim().lines()).as("stderr").hasSize(1);
        assertThat(err.toString())
                .startsWith("streamnorm run: ")
                .contains(message)
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMissingInputFileIsOneLine() {
        Path missing = tmp.resolve("typo.jsonl");

        int exit = run("run", "--input", missing.toUri().toString(), "--output", "stdout");

        assertOneLineUsageError(exit, "input file not found: " + missing);
    }

    @Test
    void anOutputThatCannotBeCreatedIsOneLine() throws Exception {
        Path input = Files.writeString(tmp.resolve("in.jsonl"), "{\"values\": [1, 2]}\n");
        Path aFile = Files.writeString(tmp.resolve("a-file"), "");
        Path output = aFile.resolve("sub/out.jsonl");

        int exit = run("run", "--input", input.toString(), "--output", output.toUri().toString());

        assertOneLineUsageError(
                exit,
                "output file " + output + " cannot be written: " + aFile + " is not a directory");
    }

    @Test
    void anOutputThatFailsAfterTheStartEndsTheRunAfterTheRestarts() throws Exception {
        Path input = Files.writeString(tmp.resolve("in.jsonl"), "{\"values\": [1, 2]}\n");
        long start = System.nanoTime();

        // /dev/full accepts the open and fails every write: a disk that fills up mid-run.
        int exit =
                run(
                        "run",
                        "--input",
                        input.toString(),
                        "--output",
                        "/dev/full",
                        "--norm",
                        "l2",
                        "--restart-attempts",
                        "2");

        assertThat(exit).as("stderr: %s", err).isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(err.toString())
                .startsWith("streamnorm run: the job failed: ")
                .contains("No space left on device")
                .doesNotContain("\tat ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void aMissingSavepointIsOneLine() throws Exception {
        Path input = Files.writeString(tmp.resolve("in.jsonl"), "{\"values\": [1, 2]}\n");

        int exit =
                run(
                        "run",
                        "--input",
                        input.toString(),
                        "--output",
                        "stdout",
                        "--mode",
                        "eval",
                        "--from-savepoint",
                        tmp.resolve("no-savepoint").toString());

        assertOneLineUsageError(exit, "--from-savepoint: no savepoint or retained checkpoint");
    }

    @Test
    void anUnreachableBrokerIsOneLineWithinTheDefaultTimeout() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        long start = System.nanoTime();

        int exit = run("run", "--input", "kafka://127.0.0.1:" + port + "/x", "--output", "stdout");

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertOneLineUsageError(
                exit, "cannot reach a broker at kafka://127.0.0.1:" + port + " within 30 s");
        assertThat(took).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(60));
    }

    @Test
    void aShorterKafkaTimeoutIsHonoured() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        long start = System.nanoTime();

        int exit =
                run(
                        "run",
                        "--input",
                        "kafka://127.0.0.1:" + port + "/x",
                        "--output",
                        "stdout",
                        "--kafka-timeout",
                        "3s");

        assertOneLineUsageError(
                exit, "within 3 s (is a broker running there? see --kafka-timeout)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void missingTopicsAreOneLine() throws Exception {
        KAFKA.kafka().createTopics(1, "pf-in", "pf-out");
        String in = kafka("pf-in");
        String out = kafka("pf-out");
        // The test broker, like many production ones, does not create topics on first write.
        String[][] cases = {
            {"input topic 'pf-typo' does not exist at kafka://", kafka("pf-typo"), "stdout"},
            {"output topic 'pf-nope' does not exist at kafka://", in, kafka("pf-nope")},
            {"output topic 'pf-dlq' does not exist", in, out, "--dead-letter", kafka("pf-dlq")},
            {
                "--kafka-property: Invalid value soon for configuration linger.ms",
                in,
                out,
                "--kafka-property",
                "linger.ms=soon"
            },
            {
                "exceeds the brokers' transaction.max.timeout.ms (900000 ms)",
                in,
                out,
                "--transaction-timeout",
                "20min"
            },
        };
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            List<String> args = new ArrayList<>(List.of("run", "--input", c[1], "--output", c[2]));
            args.addAll(List.of(c).subList(3, c.length));

            assertOneLineUsageError(run(args.toArray(new String[0])), c[0]);
        }
    }

    @Test
    void aBoundedEvalRunFollowingStatsUpdatesEnds() throws Exception {
        KAFKA.kafka().createTopics(1, "pf-eval-in", "pf-eval-updates", "pf-eval-dlq");
        List<FeatureData.Input> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String json =
                    "{\"id\": "
                            + i
                            + ", \"key\": \"k\", \"ts\": "
                            + (1_000 + i)
                            + ", \"values\": ["
                            + i
                            + ", 1]}";
            records.add(input(i, json));
        }
        TestKafka.produce(KAFKA.kafka().bootstrapServers(), "pf-eval-in", records);
        String update =
                "{\"format\": \"streamnorm.stats/v1\", \"version\": \"v1\", \"effective_from\": 1025,"
                        + " \"keys\": {\"*\": {\"running_mean\": [10, 0], \"running_var\": [4, 1]}}}";
        TestKafka.produce(
                KAFKA.kafka().bootstrapServers(), "pf-eval-updates", List.of(input(0, update)));
        Path stats =
                Files.writeString(
                        tmp.resolve("stats.json"),
                        "{\"running_mean\": [0, 0], \"running_var\": [1, 1]}");
        Path output = tmp.resolve("out.jsonl");

        int exit =
                run(
                        "run",
                        "--input",
                        kafka("pf-eval-in"),
                        "--output",
                        output.toString(),
                        "--dead-letter",
                        kafka("pf-eval-dlq"),
                        "--mode",
                        "eval",
                        "--stats",
                        stats.toString(),
                        "--stats-updates",
                        kafka("pf-eval-updates"),
                        "--emit-stats-version",
                        "--bounded",
                        "--group-id",
                        "pf-eval");

        assertThat(exit).as("stderr: %s", err).isZero();
        List<String> lines = Files.readAllLines(output);
        assertThat(lines).hasSize(50);
        assertThat(lines.stream().filter(l -> l.contains("\"stats_version\":\"v1\"")).count())
                .as("records at or after the update's effective time")
                .isEqualTo(25);
    }

    private static FeatureData.Input input(long id, String json) {
        return new FeatureData.Input(
                id, "k", json.getBytes(StandardCharsets.UTF_8), null, "clean", new double[0]);
    }
}
