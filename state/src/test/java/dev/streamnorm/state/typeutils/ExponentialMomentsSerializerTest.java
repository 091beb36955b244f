package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.ExponentialMoments;
import java.util.Random;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link ExponentialMomentsSerializer}. */
class ExponentialMomentsSerializerTest extends SerializerTestBase<ExponentialMoments> {

    @Override
    protected TypeSerializer<ExponentialMoments> createSerializer() {
        return ExponentialMomentsSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ExponentialMoments> getTypeClass() {
        return ExponentialMoments.class;
    }

    @Override
    protected ExponentialMoments[] getTestData() {
        Random random = new Random(0x5EED_0005L);
        ExponentialMoments first = new ExponentialMoments(1);
        first.update(new double[] {3.5}, 0.1);
        return new ExponentialMoments[] {
            new ExponentialMoments(1),
            first,
            ExponentialMoments.of(
                    Long.MAX_VALUE,
                    new double[] {-0.0, 1e150, -1e-150},
                    new double[] {0.0, Double.MAX_VALUE, Double.MIN_VALUE}),
            updated(random, 24, 50, 0.1),
            updated(random, 1000, 5, 0.5)
        };
    }

    private static ExponentialMoments updated(Random random, int size, int records, double alpha) {
        ExponentialMoments moments = new ExponentialMoments(size);
        double[] record = new double[size];
        for (int r = 0; r < records; r++) {
            for (int i = 0; i < size; i++) {
                record[i] = i + random.nextGaussian();
            }
            moments.update(record, alpha);
        }
        return moments;
    }
}
