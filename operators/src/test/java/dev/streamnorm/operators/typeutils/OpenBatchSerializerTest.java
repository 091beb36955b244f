package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.internal.OpenBatch;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link OpenBatchSerializer}. */
class OpenBatchSerializerTest extends SerializerTestBase<OpenBatch> {

    @Override
    protected TypeSerializer<OpenBatch> createSerializer() {
        return OpenBatchSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<OpenBatch> getTypeClass() {
        return OpenBatch.class;
    }

    @Override
    protected OpenBatch[] getTestData() {
        return new OpenBatch[] {
            new OpenBatch(1, 0, OpenBatch.NO_DEADLINE),
            new OpenBatch(3, 1, 10_000L),
            new OpenBatch(32, 99, OpenBatch.NO_DEADLINE),
            new OpenBatch(Integer.MAX_VALUE, Integer.MAX_VALUE, 0L)
        };
    }
}
