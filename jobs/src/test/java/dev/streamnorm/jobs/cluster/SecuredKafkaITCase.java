package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A secured Kafka: a broker (its own JVM) that takes clients over SASL_SSL with SCRAM-SHA-512 only,
 * its certificate made by {@code keytool}, the application's user created with Kafka's Admin API.
 * {@code streamnorm run}, in its own JVM as the launcher runs it, reaches it with nothing but
 * {@code --kafka-property} settings:
 *
 * <ul>
 *   <li>a bounded exactly-once train run: a {@code read_committed} reader sees every record once
 *       (outputs and dead letters) and the final stats equal a failure-free run's;
 *   <li>a bounded eval run following a stats-update topic: every record normalized once;
 *   <li>the same unbounded: while it runs, the process listens on loopback only, and Flink's REST
 *       API (the Web UI's job, its configuration and plan, the JobManager's configuration) does not
 *       show the password;
 *   <li>a wrong password and a wrong truststore password: exit code 2, one line, in seconds.
 * </ul>
 *
 * <p>Nothing any run wrote (stdout, stderr, the whole log, files) contains a password.
 */
class SecuredKafkaITCase {
    private static final SequencedFeatures INPUT = new SequencedFeatures(200, 40, 4);
    private static final TrainRun TRAIN = new TrainRun(INPUT, 8);
    private static final String USER = "streamnorm";
    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final Duration FAIL_FAST = Duration.ofSeconds(30);
    private static final Pattern REST_PORT =
            Pattern.compile("Rest endpoint listening at [^:\\s]+:(\\d+)");

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(60);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void runsAgainstSaslSslWithOnlyKafkaPropertiesAndLeaksNoSecret() throws Exception {
        Path dir = BuildOutputs.runDirectory("secured");
        Path log4j = dir.resolve("log4j2.properties");
        Path runs = Files.createDirectories(dir.resolve("runs"));
        SaslSslSecurity security = SaslSslSecurity.create(dir.resolve("tls"));
        KafkaBrokerProcess kafka =
                KafkaBrokerProcess.start(processes, dir.resolve("kafka"), log4j, security);
        String password = SaslSslSecurity.randomSecret();
        kafka.createScramUser(USER, password);
        kafka.createTopics(2, "input", "output", "eval-output", "watch-output");
        kafka.createTopics(
                1, "dead-letters", "eval-dead-letters", "watch-dead-letters", "stats-updates");
        Map<String, String> client = security.clientProperties(USER, password);
        INPUT.produce(kafka.bootstrapServers(), client, "input");
        String topics = "kafka://" + kafka.bootstrapServers() + "/";

        // 1. A bounded exactly-once train run.
        Path statsOut = runs.resolve("final-stats.json");
        List<String> train = new ArrayList<>(List.of("run"));
        train.addAll(
                TRAIN.options(kafka.bootstrapServers(), runs.resolve("checkpoints"), statsOut));
        train.addAll(kafkaProperties(client));
        long trainStart = System.nanoTime();
        JvmProcess trainRun = StreamnormProcess.start(processes, "train", runs, train);
        assertThat(trainRun.awaitExit(RUN_LIMIT)).as("exit code of the train run").isZero();
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        assertEveryRecordOnce(kafka, client, "output", "dead-letters");
        TRAIN.assertFinalStats(statsOut);

        // 2. A bounded eval run that follows the stats-update topic.
        publishStatsUpdate(kafka, client, statsOut);
        JvmProcess evalRun =
                StreamnormProcess.start(
                        processes, "eval", runs, evalArguments(topics, "eval", statsOut, client));
        assertThat(evalRun.awaitExit(RUN_LIMIT)).as("exit code of the eval run").isZero();
        assertEveryRecordOnce(kafka, client, "eval-output", "eval-dead-letters");

        // 3. The same, unbounded: what it exposes while it runs.
        List<String> watch = evalArguments(topics, "watch", statsOut, client);
        watch.remove("--bounded");
        JvmProcess watchRun = StreamnormProcess.start(processes, "watch", runs, watch);
        try (CommittedOutput output =
                new CommittedOutput(
                        kafka.bootstrapServers(),
                        client,
                        "watch-output",
                        "watch-dead-letters",
                        new SequenceCheck(INPUT))) {
            long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
            while (output.outputs() == 0) {
                assertThat(watchRun.isAlive()).as("the unbounded run is running").isTrue();
                assertThat(System.nanoTime())
                        .as("first output of the unbounded run in time")
                        .isLessThan(deadline);
                output.poll(Duration.ofMillis(500));
            }
        }
        assertThat(ListeningSockets.of(watchRun.pid()))
                .as("addresses the streamnorm process listens on")
                .isNotEmpty()
                .allMatch(address -> address.startsWith("127.0.0.1:"));
        String rest = restViews(runs.resolve("watch.log"));
        watchRun.kill();
        assertThat(rest).as("Flink's REST API of the run").doesNotContain(password);

        // 4. Wrong credentials end the run at once, with one line.
        String wrongPassword = SaslSslSecurity.randomSecret();
        assertFailsFastWithOneLine(
                evalArguments(
                        topics,
                        "wrong-password",
                        statsOut,
                        security.clientProperties(USER, wrongPassword)),
                runs,
                "authentication failed");
        Map<String, String> wrongTruststore = new LinkedHashMap<>(client);
        wrongTruststore.put("ssl.truststore.password", wrongPassword);
        assertFailsFastWithOneLine(
                evalArguments(topics, "wrong-truststore-password", statsOut, wrongTruststore),
                runs,
                "truststore");

        List<String> secrets = security.secrets(password, wrongPassword);
        assertThat(filesContaining(runs, secrets))
                .as("files the runs wrote that contain a password")
                .isEmpty();
        System.out.printf(
                Locale.ROOT,
                "secured kafka: bounded exactly-once train run over SASL_SSL of %d records %.1f s%n",
                INPUT.total(),
                trainSeconds);
    }

    /** An eval run reading input from the start, with {@code stats} and the stats updates. */
    private static List<String> evalArguments(
            String topics, String name, Path stats, Map<String, String> client) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "run",
                                "--input",
                                topics + "input",
                                "--output",
                                topics + name + "-output",
                                "--dead-letter",
                                topics + name + "-dead-letters",
                                "--mode",
                                "eval",
                                "--stats",
                                stats.toString(),
                                "--stats-updates",
                                topics + "stats-updates",
                                "--group-id",
                                name,
                                "--checkpoint-interval",
                                "1s",
                                "--bounded"));
        args.addAll(kafkaProperties(client));
        return args;
    }

    static List<String> kafkaProperties(Map<String, String> client) {
        List<String> args = new ArrayList<>();
        client.forEach((k, v) -> args.addAll(List.of("--kafka-property", k + "=" + v)));
        return args;
    }

    private static void assertEveryRecordOnce(
            KafkaBrokerProcess kafka, Map<String, String> client, String out, String dead)
            throws Exception {
        SequenceCheck check = new SequenceCheck(INPUT);
        try (CommittedOutput output =
                        new CommittedOutput(kafka.bootstrapServers(), client, out, dead, check);
                Admin admin = kafka.admin()) {
            output.readToEnd(admin, Duration.ofMinutes(1));
        }
        assertThat(check.problems()).as("lost or duplicated records").isEmpty();
        assertThat(check.outputs()).as("outputs").isEqualTo(INPUT.total() - INPUT.badTotal());
        assertThat(check.deadLetters()).as("dead letters").isEqualTo(INPUT.badTotal());
    }

    /** The final stats of the train run, published as a stats update effective from time 0. */
    private static void publishStatsUpdate(
            KafkaBrokerProcess kafka, Map<String, String> client, Path statsFile) throws Exception {
        String stats = Files.readString(statsFile).trim();
        String update = "{\"version\": \"trained\", \"effective_from\": 0, " + stats.substring(1);
        java.util.Properties props =
                dev.streamnorm.jobs.TestKafka.producer(kafka.bootstrapServers());
        props.putAll(client);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(
                            new ProducerRecord<>(
                                    "stats-updates", update.getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * What the Web UI shows of the running job and its JobManager (the REST port is the one the run
     * logged).
     */
    private static String restViews(Path log) throws Exception {
        Matcher port = REST_PORT.matcher(Files.readString(log));
        assertThat(port.find()).as("the run logs its REST endpoint").isTrue();
        FlinkRest rest = new FlinkRest(Integer.parseInt(port.group(1)));
        JsonNode jobs = rest.get("/jobs/overview").path("jobs");
        assertThat(jobs).as("jobs of the run").hasSize(1);
        String id = jobs.get(0).path("jid").asText();
        StringBuilder text = new StringBuilder();
        for (String path :
                List.of(
                        "/jobs/" + id,
                        "/jobs/" + id + "/config",
                        "/jobs/" + id + "/plan",
                        "/jobs/" + id + "/jobmanager/config",
                        "/jobmanager/config")) {
            JsonNode view = rest.get(path);
            text.append(view).append('\n');
        }
        assertThat(text.toString()).as("the job's configuration view").contains("execution-config");
        return text.toString();
    }

    /** A run with bad settings: exit code 2 and one line saying {@code what}, within seconds. */
    private void assertFailsFastWithOneLine(List<String> args, Path runs, String what)
            throws Exception {
        String name = args.get(args.indexOf("--group-id") + 1);
        args.addAll(List.of("--kafka-timeout", "20s"));
        StreamnormProcess.assertFailsWithOneLine(processes, name, runs, args, what, FAIL_FAST);
    }

    /** The files under {@code dir} that contain one of {@code secrets}. */
    static List<String> filesContaining(Path dir, List<String> secrets) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String secret : secrets) {
                    if (text.contains(secret)) {
                        found.add(file + " contains a password");
                    }
                }
            }
        }
        return found;
    }
}
