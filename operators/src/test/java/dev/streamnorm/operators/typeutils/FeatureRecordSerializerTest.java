package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link FeatureRecordSerializer}. */
class FeatureRecordSerializerTest extends SerializerTestBase<FeatureRecord> {

    @Override
    protected TypeSerializer<FeatureRecord> createSerializer() {
        return FeatureRecordSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<FeatureRecord> getTypeClass() {
        return FeatureRecord.class;
    }

    @Override
    protected FeatureRecord[] getTestData() {
        SplittableRandom random = new SplittableRandom(0x5EED_0101L);
        double[] many = new double[4096];
        for (int i = 0; i < many.length; i++) {
            many[i] = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(40) - 20);
        }
        return new FeatureRecord[] {
            FeatureRecord.of("", FeatureRecord.NO_TIMESTAMP),
            FeatureRecord.of("sensor-7", 1_732_272_000_000L, 0.31, -1.2, 4.0),
            FeatureRecord.of(
                    "ключ-ü-🙂", Long.MAX_VALUE, -0.0, Double.MIN_VALUE, -Double.MAX_VALUE),
            FeatureRecord.of(
                    "nan-survives-serialization", -1L, Double.NaN, Double.NEGATIVE_INFINITY),
            new FeatureRecord(
                    "k",
                    0L,
                    new double[] {1e150, -1e-150},
                    "{\"key\":\"k\",\"values\":[1e150,-1e-150],\"id\":7}"
                            .getBytes(StandardCharsets.UTF_8),
                    Origin.kafka("features", 11, Long.MAX_VALUE)),
            new FeatureRecord(
                    "f", 5L, many, new byte[] {0, -1, 127}, Origin.file("/data/in.jsonl", 3)),
            new FeatureRecord("", 5L, new double[] {2}, new byte[0], Origin.file("", 0)),
            FeatureRecord.of("versioned", 9L, 1.5).withStatsVersion("0-17")
        };
    }
}
