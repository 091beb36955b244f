package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.RecordShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job Kafka → Kafka with exactly-once delivery and checkpoints every 500 ms fails once in the
 * middle of the input and restarts from its last checkpoint: a {@code read_committed} consumer
 * still sees every output and every dead letter exactly once, with the values of a failure-free
 * run.
 */
class ExactlyOnceITCase {
    private static final int RECORDS = 16_000;
    private static final int KEYS = 20;
    private static final int BATCH_SIZE = 32;
    private static final RecordShape SHAPE = RecordShape.of(4, 2);
    private static final int FAIL_AFTER = 3_000;
    private static final String INPUT = "eo-input";
    private static final String OUTPUT = "eo-output";
    private static final String DEAD_LETTERS = "eo-dead-letters";

    /** Set once the forced failure has been thrown; guards against throwing twice. */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Raw messages seen by the failing map, over all subtasks and attempts. */
    static final AtomicLong SEEN = new AtomicLong();

    /** The highest execution attempt number that opened the failing map. */
    static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();

    /** The failure is thrown when {@link #SEEN} reaches this. */
    static volatile long failAt = Long.MAX_VALUE;

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /** Passes raw messages through, and throws once when {@link #SEEN} reaches {@link #failAt}. */
    static final class FailOnce extends RichMapFunction<RawRecord, RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void open(OpenContext openContext) {
            MAX_ATTEMPT.accumulateAndGet(
                    getRuntimeContext().getTaskInfo().getAttemptNumber(), Math::max);
        }

        @Override
        public RawRecord map(RawRecord raw) {
            if (SEEN.incrementAndGet() >= failAt && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("forced failure after " + failAt + " messages");
            }
            return raw;
        }
    }

    @Test
    void aFailureAndRestartInTheMiddleChangesNothingThatReadersSee() throws Exception {
        List<FeatureData.Input> inputs =
                FeatureData.fullBatchesOnly(
                        FeatureData.generate(RECORDS, KEYS, SHAPE.size(), 200, false, 11L),
                        BATCH_SIZE);
        List<FeatureData.Input> firstHalf = inputs.subList(0, inputs.size() / 2);
        List<FeatureData.Input> secondHalf = inputs.subList(inputs.size() / 2, inputs.size());
        assertThat(secondHalf.size()).isGreaterThan(2 * FAIL_AFTER);
        KAFKA.kafka().createTopics(4, INPUT, OUTPUT);
        KAFKA.kafka().createTopics(2, DEAD_LETTERS);

        Normalization normalization =
                Normalization.builder()
                        .setShape(SHAPE)
                        .setBatchSize(BATCH_SIZE)
                        .setBatchTimeout(Duration.ZERO)
                        .build();
        JobConfig config =
                KafkaJobs.config(
                        "exactly-once",
                        KAFKA.kafka(),
                        INPUT,
                        OUTPUT,
                        DEAD_LETTERS,
                        normalization,
                        Duration.ofMillis(500),
                        2);
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        Map<String, List<ExpectedOutputs.Output>> expected =
                ExpectedOutputs.compute(inputs, normalization, SHAPE);
        int expectedOutputs = ExpectedOutputs.count(expected);
        int expectedDeadLetters = FeatureData.poisonCount(inputs);
        int firstHalfOutputs =
                ExpectedOutputs.fullBatchCount(
                        ExpectedOutputs.compute(firstHalf, normalization, SHAPE), BATCH_SIZE);

        failAt = firstHalf.size() + FAIL_AFTER;
        TestKafka.produce(KAFKA.kafka().bootstrapServers(), INPUT, firstHalf);
        JobClient job = KafkaJobs.start(config, restarts, new FailOnce());
        try (TestKafka.CommittedReader out =
                        new TestKafka.CommittedReader(KAFKA.kafka().bootstrapServers(), OUTPUT);
                TestKafka.CommittedReader dead =
                        new TestKafka.CommittedReader(
                                KAFKA.kafka().bootstrapServers(), DEAD_LETTERS)) {
            // Committed output of the first half: at least one checkpoint has completed.
            out.awaitCount(firstHalfOutputs, TestKafka.WAIT, job);
            assertThat(FAILED).as("no failure before the second half").isFalse();

            TestKafka.produce(KAFKA.kafka().bootstrapServers(), INPUT, secondHalf);
            out.awaitCount(expectedOutputs, TestKafka.WAIT, job);
            dead.awaitCount(expectedDeadLetters, TestKafka.WAIT, job);
            Map<TopicPartition, Long> end = TestKafka.endOffsets(KAFKA.kafka(), INPUT);
            TestKafka.awaitCommitted(KAFKA.kafka(), config.groupId, end, job);
            job.cancel().get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
            out.readToEnd(TestKafka.WAIT);
            dead.readToEnd(TestKafka.WAIT);

            assertThat(FAILED).as("the forced failure happened").isTrue();
            assertThat(MAX_ATTEMPT.get()).as("the job restarted after it").isGreaterThan(0);
            assertThat(SEEN.get())
                    .as("messages after the last checkpoint were read again")
                    .isGreaterThan(inputs.size());
            assertExactlyOnce(inputs, out.records(), dead.records());
            ExpectedOutputs.assertMatch(expected, Messages.byKafkaKey(out.records()));
        } finally {
            if (!job.getJobExecutionResult().isDone()) {
                job.cancel().get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /** Every clean record's id once in the output, every poison offset once in the dead letter. */
    private static void assertExactlyOnce(
            List<FeatureData.Input> inputs,
            List<ConsumerRecord<byte[], byte[]>> outputs,
            List<ConsumerRecord<byte[], byte[]>> deadLetters) {
        List<Long> cleanIds = new ArrayList<>();
        List<String> poisonPayloads = new ArrayList<>();
        for (FeatureData.Input input : inputs) {
            if (input.clean()) {
                cleanIds.add(input.id);
            } else {
                poisonPayloads.add(input.text());
            }
        }
        List<Long> outputIds = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : outputs) {
            outputIds.add(Messages.parse(record.value()).get("id").asLong());
        }
        assertThat(outputIds)
                .as("ids of the committed outputs")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(cleanIds);

        List<String> sources = new ArrayList<>();
        List<String> deadPayloads = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : deadLetters) {
            JsonNode letter = Messages.parse(record.value());
            JsonNode source = letter.get("source");
            sources.add(source.get("partition").asInt() + "@" + source.get("offset").asLong());
            deadPayloads.add(letter.get("input").asText());
        }
        assertThat(sources).as("sources of the committed dead letters").doesNotHaveDuplicates();
        assertThat(deadPayloads).containsExactlyInAnyOrderElementsOf(poisonPayloads);
    }
}
