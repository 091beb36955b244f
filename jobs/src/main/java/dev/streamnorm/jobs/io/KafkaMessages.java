package dev.streamnorm.jobs.io;

import dev.streamnorm.jobs.codec.JsonRecordEncoder;
import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** How output records and dead letters become Kafka records (JSON, one encoder per writer). */
final class KafkaMessages<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** Turns one value into a Kafka record. */
    @FunctionalInterface
    interface Encoding<T> extends Serializable {
        ProducerRecord<byte[], byte[]> encode(String topic, T value, JsonRecordEncoder encoder);
    }

    private final String topic;
    private final Encoding<T> encoding;
    private transient JsonRecordEncoder encoder;

    private KafkaMessages(String topic, Encoding<T> encoding) {
        this.topic = topic;
        this.encoding = encoding;
    }

    /** A normalized record: Kafka key = record key, timestamp = event time, value = JSON. */
    static KafkaMessages<FeatureRecord> records(String topic) {
        return new KafkaMessages<>(
                topic,
                (t, record, encoder) ->
                        new ProducerRecord<>(
                                t,
                                null,
                                record.timestamp() == FeatureRecord.NO_TIMESTAMP
                                        ? null
                                        : record.timestamp(),
                                record.key().getBytes(StandardCharsets.UTF_8),
                                encoder.encode(record)));
    }

    /** A dead letter: Kafka key = the record key when known, value = the dead-letter JSON. */
    static KafkaMessages<DeadLetter> deadLetters(String topic) {
        return new KafkaMessages<>(
                topic,
                (t, letter, encoder) ->
                        new ProducerRecord<>(
                                t,
                                letter.key().isEmpty()
                                        ? null
                                        : letter.key().getBytes(StandardCharsets.UTF_8),
                                encoder.encode(letter)));
    }

    /** Bytes encoded upstream, keyed by the string of the pair. */
    static KafkaMessages<Tuple2<String, byte[]>> encoded(String topic) {
        return new KafkaMessages<>(
                topic,
                (t, keyed, encoder) ->
                        new ProducerRecord<>(
                                t, keyed.f0.getBytes(StandardCharsets.UTF_8), keyed.f1));
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        encoder = new JsonRecordEncoder();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T value, KafkaSinkContext context, Long timestamp) {
        return encoding.encode(topic, value, encoder);
    }
}
