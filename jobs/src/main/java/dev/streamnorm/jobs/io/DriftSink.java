package dev.streamnorm.jobs.io;

import dev.streamnorm.jobs.codec.DriftRecordEncoder;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.DriftReport;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Writes drift records (JSON, {@link DriftRecordEncoder}) to the {@code --drift} endpoint: a Kafka
 * topic (Kafka key = the record key, with the job's delivery guarantee), a JSON-lines file, or
 * stdout.
 */
public final class DriftSink {
    private DriftSink() {}

    /** Sinks {@code drift} to {@code config.drift}. */
    public static void sink(DataStream<DriftReport> drift, JobConfig config) {
        Endpoint target = config.drift;
        DataStream<Tuple2<String, byte[]>> encoded =
                drift.map(new Encode())
                        .returns(
                                Types.TUPLE(
                                        Types.STRING,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))
                        .uid("streamnorm-encode-drift")
                        .name("encode drift");
        if (target.kind() == Endpoint.Kind.KAFKA) {
            encoded.sinkTo(
                            Connectors.kafkaSink(
                                    config, target, KafkaMessages.encoded(target.topic())))
                    .uid("streamnorm-drift")
                    .name("drift " + target);
        } else {
            Connectors.sinkLines(
                    encoded.map(keyed -> keyed.f1)
                            .returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                            .uid("streamnorm-drift-lines"),
                    target,
                    "drift");
        }
    }

    private static final class Encode extends RichMapFunction<DriftReport, Tuple2<String, byte[]>> {
        private static final long serialVersionUID = 1L;
        private transient DriftRecordEncoder encoder;

        @Override
        public void open(OpenContext openContext) {
            encoder = new DriftRecordEncoder();
        }

        @Override
        public Tuple2<String, byte[]> map(DriftReport report) {
            return Tuple2.of(report.key(), encoder.encode(report));
        }
    }
}
