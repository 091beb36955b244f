package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.RecordShape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100k messages with 1% poison of every kind through the job Kafka → Kafka (exactly-once, dead
 * letters to Kafka): every message comes out exactly once, either normalized exactly as the
 * operator-level computation says or as a dead letter that names its code, its original payload and
 * the topic, partition and offset it was produced to. Records without a {@code key} field are
 * normalized under their Kafka record key.
 */
class PoisonRecordsITCase {
    private static final int RECORDS = 100_000;
    private static final int KEYS = 50;
    private static final int CHANNELS = 8;
    private static final int BATCH_SIZE = 32;
    private static final int POISON_EVERY = 100;
    private static final String INPUT = "poison-input";
    private static final String OUTPUT = "poison-output";
    private static final String DEAD_LETTERS = "poison-dead-letters";

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void everyMessageIsNormalizedOrDeadLetteredExactlyOnce(@TempDir Path savepoints)
            throws Exception {
        List<FeatureData.Input> inputs =
                FeatureData.generate(RECORDS, KEYS, CHANNELS, POISON_EVERY, true, 7L);
        assertThat(FeatureData.codes(inputs))
                .containsExactlyInAnyOrder(
                        ErrorCode.MALFORMED_JSON,
                        ErrorCode.MISSING_VALUES,
                        ErrorCode.NOT_A_NUMBER,
                        ErrorCode.NON_FINITE,
                        ErrorCode.WRONG_LENGTH,
                        ErrorCode.BAD_FIELD);
        assertThat(inputs)
                .as("clean records without a key field, keyed by their Kafka key")
                .filteredOn(input -> input.kind.equals("clean-keyless"))
                .hasSizeGreaterThan(100);
        KAFKA.kafka().createTopics(4, INPUT, OUTPUT);
        KAFKA.kafka().createTopics(2, DEAD_LETTERS);
        List<RecordMetadata> produced =
                TestKafka.produce(KAFKA.kafka().bootstrapServers(), INPUT, inputs);

        Normalization normalization =
                Normalization.builder()
                        .setShape(RecordShape.vector(CHANNELS))
                        .setBatchSize(BATCH_SIZE)
                        .setBatchTimeout(Duration.ZERO)
                        .build();
        JobConfig config =
                KafkaJobs.config(
                        "poison",
                        KAFKA.kafka(),
                        INPUT,
                        OUTPUT,
                        DEAD_LETTERS,
                        normalization,
                        Duration.ofMillis(500),
                        2);
        KafkaJobs.Result result = KafkaJobs.runToEndOfInput(KAFKA.kafka(), config, savepoints);

        int poison = FeatureData.poisonCount(inputs);
        assertThat(poison).isEqualTo(RECORDS / POISON_EVERY);
        assertThat(result.outputs.size() + result.deadLetters.size())
                .as("records in = records out + dead letters")
                .isEqualTo(RECORDS);
        assertThat(result.deadLetters).hasSize(poison);

        assertDeadLetters(inputs, produced, result.deadLetters);
        Map<String, List<ExpectedOutputs.Output>> expected =
                ExpectedOutputs.compute(inputs, normalization, RecordShape.vector(CHANNELS));
        Map<String, List<JsonNode>> outputs = Messages.byKafkaKey(result.outputs);
        ExpectedOutputs.assertMatch(expected, outputs);
        assertPassThrough(inputs, result.outputs);
        assertBatchesStandardized(outputs);
    }

    /**
     * Each poison message has exactly one dead letter with its code, its payload as {@code input}
     * and as {@code source} the topic, partition and offset the broker gave it.
     */
    private static void assertDeadLetters(
            List<FeatureData.Input> inputs,
            List<RecordMetadata> produced,
            List<ConsumerRecord<byte[], byte[]>> deadLetters) {
        Map<String, FeatureData.Input> byPosition = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            RecordMetadata at = produced.get(i);
            assertThat(at.topic()).isEqualTo(INPUT);
            byPosition.put(at.partition() + "@" + at.offset(), inputs.get(i));
        }
        Map<Long, String> codes = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : deadLetters) {
            JsonNode letter = Messages.parse(record.value());
            assertThat(Messages.fieldNames(letter))
                    .containsExactly("error", "message", "input", "source");
            JsonNode source = letter.get("source");
            assertThat(Messages.fieldNames(source)).containsExactly("topic", "partition", "offset");
            assertThat(source.get("topic").asText()).isEqualTo(INPUT);
            String position = source.get("partition").asInt() + "@" + source.get("offset").asLong();
            FeatureData.Input input = byPosition.get(position);
            if (input == null) {
                problems.add("a dead letter names no produced message: " + letter);
                continue;
            }
            if (codes.put(input.id, letter.get("error").asText()) != null) {
                problems.add("a second dead letter for " + input);
            }
            if (!letter.get("input").asText().equals(input.text())) {
                problems.add(
                        input + ": input " + letter.get("input") + ", produced " + input.text());
            }
            if (letter.get("message").asText().isBlank()) {
                problems.add(input + ": no message");
            }
            if (!input.key.equals(Messages.text(record.key()))) {
                problems.add(input + ": Kafka key " + Messages.text(record.key()));
            }
        }
        for (FeatureData.Input input : inputs) {
            String code = codes.get(input.id);
            if (input.clean() && code != null) {
                problems.add("a clean record went to the dead letter as " + code + ": " + input);
            } else if (!input.clean() && !input.error.code().equals(code)) {
                problems.add(input + ": expected " + input.error.code() + ", got " + code);
            }
        }
        Messages.assertNoProblems("dead letters", problems);
    }

    /**
     * An output is its input with only {@code values} replaced: same fields in the same order, and
     * its Kafka timestamp is the record's {@code ts}.
     */
    private static void assertPassThrough(
            List<FeatureData.Input> inputs, List<ConsumerRecord<byte[], byte[]>> outputs) {
        Map<Long, FeatureData.Input> byId = new HashMap<>();
        for (FeatureData.Input input : inputs) {
            byId.put(input.id, input);
        }
        List<String> problems = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : outputs) {
            JsonNode out = Messages.parse(record.value());
            FeatureData.Input input = byId.get(out.get("id").asLong());
            JsonNode in = Messages.parse(input.payload);
            if (!Messages.fieldNames(out).equals(Messages.fieldNames(in))) {
                problems.add(input + ": fields " + Messages.fieldNames(out));
            }
            for (String field : Messages.fieldNames(in)) {
                if (!field.equals("values") && !in.get(field).equals(out.get(field))) {
                    problems.add(input + ": " + field + " is " + out.get(field));
                }
            }
            if (record.timestamp() != FeatureData.BASE_TS + input.id) {
                problems.add(input + ": Kafka timestamp " + record.timestamp());
            }
        }
        Messages.assertNoProblems("pass-through fields", problems);
    }

    /**
     * Independently of the state module: every full batch of every key comes out with per-channel
     * mean 0 and biased variance var / (var + eps), which is 1 up to 1e-3 for this data (an
     * unbiased variance would be off by 1/31).
     */
    private static void assertBatchesStandardized(Map<String, List<JsonNode>> outputs) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> e : outputs.entrySet()) {
            List<JsonNode> records = e.getValue();
            for (int start = 0; start + BATCH_SIZE <= records.size(); start += BATCH_SIZE) {
                double[] sum = new double[CHANNELS];
                double[] squares = new double[CHANNELS];
                for (JsonNode record : records.subList(start, start + BATCH_SIZE)) {
                    double[] values = Messages.values(record);
                    for (int c = 0; c < CHANNELS; c++) {
                        sum[c] += values[c];
                        squares[c] += values[c] * values[c];
                    }
                }
                for (int c = 0; c < CHANNELS; c++) {
                    double mean = sum[c] / BATCH_SIZE;
                    double variance = squares[c] / BATCH_SIZE - mean * mean;
                    if (Math.abs(mean) > 1e-8 || Math.abs(variance - 1) > 1e-3) {
                        problems.add(
                                e.getKey()
                                        + " batch at "
                                        + start
                                        + " channel "
                                        + c
                                        + ": mean "
                                        + mean
                                        + ", variance "
                                        + variance);
                    }
                }
            }
        }
        Messages.assertNoProblems("standardized batches", problems);
    }
}
