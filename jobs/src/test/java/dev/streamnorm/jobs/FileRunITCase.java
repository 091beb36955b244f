package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.jobs.cli.StreamnormCli;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.RecordShape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnorm run} from a JSON-lines file to a file (bounded) writes, key by key and in
 * order, the same output records as the Kafka → Kafka job on the same messages, and the same dead
 * letters, each naming its file and line.
 */
class FileRunITCase {
    private static final int RECORDS = 20_000;
    private static final int KEYS = 20;
    private static final int CHANNELS = 8;
    private static final int BATCH_SIZE = 32;
    private static final String INPUT = "file-run-input";
    private static final String OUTPUT = "file-run-output";
    private static final String DEAD_LETTERS = "file-run-dead-letters";

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void aBoundedFileRunWritesWhatTheKafkaRunWrites(@TempDir Path tmp) throws Exception {
        List<FeatureData.Input> inputs =
                FeatureData.generate(RECORDS, KEYS, CHANNELS, 100, false, 23L);
        KAFKA.kafka().createTopics(3, INPUT, OUTPUT);
        KAFKA.kafka().createTopics(1, DEAD_LETTERS);
        TestKafka.produce(KAFKA.kafka().bootstrapServers(), INPUT, inputs);
        Normalization normalization =
                Normalization.builder()
                        .setShape(RecordShape.vector(CHANNELS))
                        .setBatchSize(BATCH_SIZE)
                        .setBatchTimeout(Duration.ZERO)
                        .build();
        JobConfig config =
                KafkaJobs.config(
                        "file-run",
                        KAFKA.kafka(),
                        INPUT,
                        OUTPUT,
                        DEAD_LETTERS,
                        normalization,
                        Duration.ofMillis(500),
                        2);
        KafkaJobs.Result kafkaRun =
                KafkaJobs.runToEndOfInput(
                        KAFKA.kafka(), config, Files.createDirectory(tmp.resolve("sp")));

        Path in = tmp.resolve("in.jsonl");
        Path out = tmp.resolve("out/normalized.jsonl");
        Path dead = tmp.resolve("out/dead-letters.jsonl");
        List<String> lines = new ArrayList<>();
        for (FeatureData.Input input : inputs) {
            lines.add(input.text());
        }
        Files.write(in, lines, StandardCharsets.UTF_8);
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int exit =
                StreamnormCli.execute(
                        new String[] {
                            "run",
                            "--input",
                            in.toUri().toString(),
                            "--output",
                            out.toUri().toString(),
                            "--dead-letter",
                            dead.toUri().toString(),
                            "--shape",
                            Integer.toString(CHANNELS),
                            "--batch-size",
                            Integer.toString(BATCH_SIZE),
                            "--batch-timeout",
                            "0",
                            "--parallelism",
                            "2",
                            "--job-name",
                            "file-run"
                        },
                        new PrintWriter(stdout, true),
                        new PrintWriter(stderr, true));
        assertThat(exit).as("exit code; stderr: %s", stderr).isZero();

        List<String> fileOutputs = Files.readAllLines(out, StandardCharsets.UTF_8);
        List<String> fileDeadLetters = Files.readAllLines(dead, StandardCharsets.UTF_8);
        assertThat(fileOutputs.size() + fileDeadLetters.size())
                .as("lines in = records out + dead letters")
                .isEqualTo(RECORDS);
        assertThat(fileOutputs).hasSameSizeAs(kafkaRun.outputs);

        Map<String, List<String>> kafkaByKey = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafkaRun.outputs) {
            String text = new String(record.value(), StandardCharsets.UTF_8);
            kafkaByKey.computeIfAbsent(keyOf(text), k -> new ArrayList<>()).add(text);
        }
        Map<String, List<String>> fileByKey = new LinkedHashMap<>();
        for (String text : fileOutputs) {
            fileByKey.computeIfAbsent(keyOf(text), k -> new ArrayList<>()).add(text);
        }
        assertThat(fileByKey.keySet()).containsExactlyInAnyOrderElementsOf(kafkaByKey.keySet());
        for (Map.Entry<String, List<String>> e : kafkaByKey.entrySet()) {
            assertThat(fileByKey.get(e.getKey()))
                    .as("output records of key %s, in order", e.getKey())
                    .containsExactlyElementsOf(e.getValue());
        }

        assertDeadLetters(in, lines, fileDeadLetters, kafkaRun.deadLetters);
    }

    /**
     * The file run's dead letters name the input file and the 1-based line of their input, and
     * carry the code the Kafka run gave the same message.
     */
    private static void assertDeadLetters(
            Path in,
            List<String> lines,
            List<String> fileDeadLetters,
            List<ConsumerRecord<byte[], byte[]>> kafkaDeadLetters) {
        Map<String, String> kafkaCodes = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafkaDeadLetters) {
            JsonNode letter = Messages.parse(record.value());
            kafkaCodes.put(letter.get("input").asText(), letter.get("error").asText());
        }
        assertThat(kafkaCodes).as("distinct poison payloads").hasSize(kafkaDeadLetters.size());
        List<String> problems = new ArrayList<>();
        Map<String, String> fileCodes = new HashMap<>();
        for (String text : fileDeadLetters) {
            JsonNode letter = Messages.parse(text);
            JsonNode source = letter.get("source");
            String input = letter.get("input").asText();
            fileCodes.put(input, letter.get("error").asText());
            if (!Messages.fieldNames(source).equals(List.of("file", "line"))
                    || !source.get("file").asText().equals(in.toString())) {
                problems.add("source " + source + " of " + input);
                continue;
            }
            int line = source.get("line").asInt();
            if (line < 1 || line > lines.size() || !lines.get(line - 1).equals(input)) {
                problems.add("line " + line + " is not " + input);
            }
        }
        Messages.assertNoProblems("file dead letters", problems);
        assertThat(fileCodes).isEqualTo(kafkaCodes);
    }

    private static String keyOf(String record) {
        return Messages.parse(record).get("key").asText();
    }
}
