package dev.streamnorm.jobs.io;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record into a {@link RawRecord}, never failing: decoding (and rejecting) is the
 * next operator's job, so a bad message becomes a dead letter instead of a failed job.
 */
final class RawKafkaDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;
    private static final byte[] EMPTY = new byte[0];

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(
                RawRecord.fromKafka(
                        record.value() == null ? EMPTY : record.value(),
                        record.key() == null
                                ? null
                                : new String(record.key(), StandardCharsets.UTF_8),
                        record.timestamp() >= 0 ? record.timestamp() : Long.MIN_VALUE,
                        record.topic(),
                        record.partition(),
                        record.offset()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
