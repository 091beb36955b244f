package dev.streamnorm.jobs.cluster;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.streamnorm.jobs.TestKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a job's output and dead-letter topics from the beginning with {@code read_committed}, as
 * they grow, and feeds each record's key and {@code seq} to a {@link SequenceCheck} (a dead
 * letter's from the input message it carries). Only committed transactions are visible, so what it
 * has read is what the job has committed.
 */
final class CommittedOutput implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final String outputTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final SequenceCheck check;

    CommittedOutput(
            String bootstrap, String outputTopic, String deadLetterTopic, SequenceCheck check) {
        this(bootstrap, Map.of(), outputTopic, deadLetterTopic, check);
    }

    /** Like the other constructor, with more client properties (security). */
    CommittedOutput(
            String bootstrap,
            Map<String, String> client,
            String outputTopic,
            String deadLetterTopic,
            SequenceCheck check) {
        this.outputTopic = outputTopic;
        this.check = check;
        Properties props = TestKafka.committedConsumer(bootstrap);
        props.putAll(client);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        consumer = new KafkaConsumer<>(props);
        for (String topic : List.of(outputTopic, deadLetterTopic)) {
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what is committed and not yet read (waits at most {@code timeout} for it). */
    void poll(Duration timeout) throws IOException {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            if (record.topic().equals(outputTopic)) {
                KeyAndSeq output = KeyAndSeq.of(record.value());
                check.output(output.key, output.seq);
            } else {
                KeyAndSeq input = KeyAndSeq.of(deadLetterInput(record.value()));
                check.deadLetter(input.key, input.seq);
            }
        }
    }

    /** The check the records read go to. */
    SequenceCheck check() {
        return check;
    }

    /** Committed output records read so far. */
    long outputs() {
        return check.outputs();
    }

    /** Records read so far, outputs and dead letters. */
    long records() {
        return check.outputs() + check.deadLetters();
    }

    /**
     * The sum of the output topic's last stable offsets: what the job has committed, ahead of this
     * reader (it counts the transactions' commit markers too, one per partition and transaction).
     */
    long committedOutputOffsets(Admin admin) throws Exception {
        long sum = 0;
        for (Map.Entry<TopicPartition, Long> stable :
                TestKafka.latestOffsets(admin, partitions, IsolationLevel.READ_COMMITTED)
                        .entrySet()) {
            if (stable.getKey().topic().equals(outputTopic)) {
                sum += stable.getValue();
            }
        }
        return sum;
    }

    /**
     * Reads to the end of both topics once no transaction on them is open: the last stable offset
     * of every partition equals its end, and this reader is there.
     */
    void readToEnd(Admin admin, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            poll(Duration.ofMillis(200));
            Map<TopicPartition, Long> stable =
                    TestKafka.latestOffsets(admin, partitions, IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, Long> written =
                    TestKafka.latestOffsets(admin, partitions, IsolationLevel.READ_UNCOMMITTED);
            boolean atEnd = stable.equals(written);
            for (TopicPartition tp : partitions) {
                atEnd &= consumer.position(tp) >= stable.get(tp);
            }
            if (atEnd) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the output was not complete and committed within "
                                + timeout.toSeconds()
                                + " s: stable offsets "
                                + stable
                                + ", end offsets "
                                + written);
            }
        }
    }

    /** The {@code input} field of a dead letter: the rejected message. */
    private static byte[] deadLetterInput(byte[] deadLetter) throws IOException {
        try (JsonParser parser = JSON.createParser(deadLetter)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("input")) {
                    return parser.getText().getBytes(StandardCharsets.UTF_8);
                }
                parser.skipChildren();
            }
        }
        throw new AssertionError(
                "dead letter without input: " + new String(deadLetter, StandardCharsets.UTF_8));
    }

    /** The {@code key} and {@code seq} fields of a record. */
    private static final class KeyAndSeq {
        String key;
        long seq = -1;

        static KeyAndSeq of(byte[] json) throws IOException {
            KeyAndSeq result = new KeyAndSeq();
            try (JsonParser parser = JSON.createParser(json)) {
                parser.nextToken();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("key") && value == JsonToken.VALUE_STRING) {
                        result.key = parser.getText();
                    } else if (field.equals("seq") && value == JsonToken.VALUE_NUMBER_INT) {
                        result.seq = parser.getLongValue();
                    } else {
                        parser.skipChildren();
                    }
                }
            }
            return result;
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
