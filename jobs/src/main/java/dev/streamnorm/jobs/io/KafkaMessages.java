package dev.streamnorm.jobs.io;

import dev.streamnorm.jobs.codec.JsonRecordEncoder;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** How output records and dead letters become Kafka records. */
final class KafkaMessages {
    private KafkaMessages() {}

    /** A normalized record: Kafka key = record key, value = the output JSON. */
    static final class Records implements KafkaRecordSerializationSchema<FeatureRecord> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient JsonRecordEncoder encoder;

        Records(String topic) {
            this.topic = topic;
        }

        @Override
        public void open(
                SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
            encoder = new JsonRecordEncoder();
        }

        @Nullable
        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                FeatureRecord record, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topic,
                    null,
                    record.timestamp() == FeatureRecord.NO_TIMESTAMP ? null : record.timestamp(),
                    record.key().getBytes(StandardCharsets.UTF_8),
                    encoder.encode(record));
        }
    }

    /** A dead letter: Kafka key = the record key when known, value = the dead-letter JSON. */
    static final class DeadLetters implements KafkaRecordSerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient JsonRecordEncoder encoder;

        DeadLetters(String topic) {
            this.topic = topic;
        }

        @Override
        public void open(
                SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
            encoder = new JsonRecordEncoder();
        }

        @Nullable
        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                DeadLetter letter, KafkaSinkContext context, Long timestamp) {
            byte[] key =
                    letter.key().isEmpty() ? null : letter.key().getBytes(StandardCharsets.UTF_8);
            return new ProducerRecord<>(topic, key, encoder.encode(letter));
        }
    }
}
