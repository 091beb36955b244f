package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.ChannelMoments;
import java.util.Random;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link ChannelMomentsSerializer}. */
class ChannelMomentsSerializerTest extends SerializerTestBase<ChannelMoments> {

    @Override
    protected TypeSerializer<ChannelMoments> createSerializer() {
        return ChannelMomentsSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ChannelMoments> getTypeClass() {
        return ChannelMoments.class;
    }

    @Override
    protected ChannelMoments[] getTestData() {
        Random random = new Random(0x5EED_0004L);
        ChannelMoments oneValue = new ChannelMoments(1);
        oneValue.accept(0, -2.75);
        ChannelMoments partlyEmpty = new ChannelMoments(3);
        partlyEmpty.accept(1, 1e9 + 4);
        partlyEmpty.accept(1, 1e9 + 7);
        return new ChannelMoments[] {
            new ChannelMoments(1),
            oneValue,
            partlyEmpty,
            ChannelMoments.of(
                    new long[] {Long.MAX_VALUE, 2},
                    new double[] {-1e150, Double.MIN_VALUE},
                    new double[] {Double.MAX_VALUE, 0.0}),
            randomMoments(random, 16, 40),
            randomMoments(random, 1000, 3)
        };
    }

    private static ChannelMoments randomMoments(Random random, int channels, int values) {
        ChannelMoments moments = new ChannelMoments(channels);
        for (int c = 0; c < channels; c++) {
            double offset = random.nextGaussian() * 100;
            for (int i = random.nextInt(values + 1); i > 0; i--) {
                moments.accept(c, offset + random.nextGaussian());
            }
        }
        return moments;
    }
}
