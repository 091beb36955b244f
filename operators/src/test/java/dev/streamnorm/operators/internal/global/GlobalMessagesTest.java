package dev.streamnorm.operators.internal.global;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.typeutils.FeatureRecordSerializer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records sent in chunks come back whole, in order, whatever the chunk size. */
class GlobalMessagesTest {
    private static List<FeatureRecord> records(int count) {
        List<FeatureRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(FeatureRecord.of("k" + i, 10L * i, i, i + 0.5, -i));
        }
        return records;
    }

    @Test
    void chunksSplitAtTheSizeAndDecodeToTheSameRecords() {
        List<FeatureRecord> records = records(100);
        List<byte[]> chunks = GlobalMessages.chunks(FeatureRecordSerializer.INSTANCE, records, 500);
        assertThat(chunks).hasSizeGreaterThan(5);
        List<FeatureRecord> back = new ArrayList<>();
        for (byte[] chunk : chunks) {
            assertThat(chunk.length).isLessThan(500 + 100);
            back.addAll(GlobalMessages.decode(FeatureRecordSerializer.INSTANCE, chunk));
        }
        assertThat(back).isEqualTo(records);
    }

    @Test
    void noRecordsIsOneEmptyChunk() {
        List<byte[]> chunks =
                GlobalMessages.chunks(FeatureRecordSerializer.INSTANCE, List.of(), 1 << 20);
        assertThat(chunks).singleElement();
        assertThat(GlobalMessages.decode(FeatureRecordSerializer.INSTANCE, chunks.get(0)))
                .isEmpty();
    }

    @Test
    void originsOfGenerationsNeverCollide() {
        assertThat(GlobalMessages.origin(0, 5)).isEqualTo(5);
        assertThat(GlobalMessages.origin(1, 5)).isNotEqualTo(GlobalMessages.origin(0, 5));
        assertThat(GlobalMessages.origin(1, 0)).isNotEqualTo(GlobalMessages.origin(0, 32767));
    }
}
