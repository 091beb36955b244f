package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.jobs.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code streamnorm demo --bootstrap-servers} on a secured Kafka (its own JVM, SASL_SSL with
 * SCRAM-SHA-512 only, see {@link SaslSslSecurity}), reached with nothing but {@code
 * --kafka-property} settings, the demo run the way the launcher runs it:
 *
 * <ul>
 *   <li>the demo creates its topics, produces, normalizes and runs its drift phase; a {@code
 *       read_committed} reader of its output and dead-letter topics sees every produced record
 *       once: the good ones normalized, the bad ones as dead letters;
 *   <li>run again on the same topics, it stops with one line and exit code 2 (they hold records);
 *   <li>a wrong password: exit code 2, one line, within seconds.
 * </ul>
 *
 * <p>Nothing the runs wrote (stdout, stderr, the whole log, the drift report) contains a password.
 */
class SecuredDemoITCase {
    private static final String USER = "streamnorm";
    private static final int RECORDS = 4_000;
    private static final int BAD_EVERY = 250;
    private static final Duration RUN_LIMIT = Duration.ofMinutes(4);
    private static final Duration FAIL_FAST = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("\\{\"id\":(\\d+),");

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(60);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void demoRunsOnSaslSslWithOnlyKafkaPropertiesAndLeaksNoSecret() throws Exception {
        Path dir = BuildOutputs.runDirectory("secured-demo");
        Path runs = Files.createDirectories(dir.resolve("runs"));
        SaslSslSecurity security = SaslSslSecurity.create(dir.resolve("tls"));
        KafkaBrokerProcess kafka =
                KafkaBrokerProcess.start(
                        processes,
                        dir.resolve("kafka"),
                        dir.resolve("log4j2.properties"),
                        security);
        String password = SaslSslSecurity.randomSecret();
        kafka.createScramUser(USER, password);
        Map<String, String> client = security.clientProperties(USER, password);

        // 1. The whole demo, training and drift phase.
        long start = System.nanoTime();
        JvmProcess demo =
                StreamnormProcess.start(
                        processes, "demo", runs, demoArguments(kafka, client, runs));
        assertThat(demo.awaitExit(RUN_LIMIT))
                .as("exit code of the demo: %s", demo.output())
                .isZero();
        double seconds = (System.nanoTime() - start) / 1e9;
        int bad = RECORDS / BAD_EVERY;
        assertThat(demo.output())
                .as("what the demo printed")
                .contains(
                        String.format(
                                Locale.ROOT,
                                "records in %,d = out %,d + dead letters %,d%n",
                                RECORDS,
                                RECORDS - bad,
                                bad))
                .contains("(yours)")
                .contains("sasl.jaas.config=******")
                .contains("drift report: " + runs.resolve("drift-report.html"));
        assertEveryRecordOnce(kafka, client);

        // 2. Again on the same topics: they hold the first run's records.
        StreamnormProcess.assertFailsWithOneLine(
                processes,
                "again",
                runs,
                demoArguments(kafka, client, runs),
                "already holds",
                FAIL_FAST);

        // 3. A wrong password.
        String wrongPassword = SaslSslSecurity.randomSecret();
        StreamnormProcess.assertFailsWithOneLine(
                processes,
                "wrong-password",
                runs,
                demoArguments(kafka, security.clientProperties(USER, wrongPassword), runs),
                "authentication failed",
                FAIL_FAST);

        List<String> secrets = security.secrets(password, wrongPassword);
        assertThat(SecuredKafkaITCase.filesContaining(runs, secrets))
                .as("files the runs wrote that contain a password")
                .isEmpty();
        System.out.printf(
                Locale.ROOT,
                "secured demo: %d records over SASL_SSL, drift phase included, %.1f s%n",
                RECORDS,
                seconds);
    }

    private static List<String> demoArguments(
            KafkaBrokerProcess kafka, Map<String, String> client, Path runs) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "demo",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--records",
                                Integer.toString(RECORDS),
                                "--keys",
                                "4",
                                "--drift-records",
                                "2000",
                                "--report",
                                runs.resolve("drift-report.html").toString(),
                                "--kafka-timeout",
                                "20s"));
        args.addAll(SecuredKafkaITCase.kafkaProperties(client));
        return args;
    }

    /**
     * Reads the demo's output and dead-letter topics to their end with {@code read_committed}: each
     * id the demo produced is there once, a good record's as output, a bad one's as dead letter.
     */
    private static void assertEveryRecordOnce(KafkaBrokerProcess kafka, Map<String, String> client)
            throws Exception {
        Properties props = TestKafka.committedConsumer(kafka.bootstrapServers());
        props.putAll(client);
        BitSet seen = new BitSet(RECORDS);
        List<String> problems = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of("demo-output", "demo-dead-letters")) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("read to the end in time").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    boolean deadLetter = record.topic().equals("demo-dead-letters");
                    JsonNode node = JSON.readTree(record.value());
                    int id = idOf(deadLetter ? node.path("input").asText() : node.toString());
                    boolean badId = id % BAD_EVERY == BAD_EVERY - 1;
                    if (id < 0 || id >= RECORDS || seen.get(id) || badId != deadLetter) {
                        problems.add(record.topic() + ": id " + id);
                    } else {
                        seen.set(id);
                    }
                }
            }
        }
        assertThat(problems).as("duplicated, unknown or misrouted records").isEmpty();
        assertThat(seen.cardinality()).as("produced records read back once").isEqualTo(RECORDS);
    }

    /**
     * The {@code id} the demo's record {@code json} starts with (a bad record need not parse), or
     * -1.
     */
    private static int idOf(String json) {
        Matcher id = ID.matcher(json);
        return id.lookingAt() ? Integer.parseInt(id.group(1)) : -1;
    }
}
