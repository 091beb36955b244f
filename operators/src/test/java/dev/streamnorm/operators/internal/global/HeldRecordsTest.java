package dev.streamnorm.operators.internal.global;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records held by column come back as they went in, and normalized as one by one. */
class HeldRecordsTest {
    private static final RecordShape SHAPE = RecordShape.of(2, 2);

    private static FeatureRecord record(int i) {
        return new FeatureRecord(
                "key-" + i,
                i % 3 == 0 ? FeatureRecord.NO_TIMESTAMP : 1000 + i,
                new double[] {i, -i, 0.5 * i, i * i},
                new byte[] {(byte) i},
                Origin.file("f", i),
                i % 2 == 0 ? null : "v" + i);
    }

    @Test
    void growsPastItsExpectedSizeAndGivesTheRecordsBack() {
        HeldRecords held = new HeldRecords(SHAPE.size(), 2);
        for (int i = 0; i < 37; i++) {
            held.add(record(i));
        }
        assertThat(held.size()).isEqualTo(37);
        List<FeatureRecord> back = new ArrayList<>();
        held.forEach(back::add);
        for (int i = 0; i < 37; i++) {
            assertThat(back.get(i)).isEqualTo(record(i));
            assertThat(held.record(i)).isEqualTo(record(i));
        }
    }

    @Test
    void normalizesEachRecordAsTheNormalizerDoesAlone() {
        HeldRecords held = new HeldRecords(SHAPE.size(), 4);
        for (int i = 0; i < 10; i++) {
            held.add(record(i));
        }
        ChannelNormalizer normalizer =
                new ChannelNormalizer(
                                SHAPE,
                                1e-5,
                                Affine.of(new double[] {2.0, 0.5}, new double[] {1.0, -1.0}))
                        .useRunningStats(
                                RunningStats.of(
                                        new double[] {3.0, -1.0}, new double[] {4.0, 2.0}, 7));
        for (boolean oneArray : new boolean[] {false, true}) {
            List<double[]> values = new ArrayList<>();
            List<FeatureRecord> records = new ArrayList<>();
            held.normalizeEach(
                    normalizer,
                    oneArray,
                    record -> {
                        values.add(record.values().clone());
                        records.add(record);
                    });
            for (int i = 0; i < 10; i++) {
                double[] expected = record(i).values();
                normalizer.apply(expected, expected);
                assertThat(values.get(i)).containsExactly(expected);
                assertThat(records.get(i).key()).isEqualTo("key-" + i);
                assertThat(records.get(i).timestamp()).isEqualTo(record(i).timestamp());
                assertThat(records.get(i).statsVersion()).isEqualTo(record(i).statsVersion());
            }
            // One array: every record handed out shares it; else each has its own.
            assertThat(records.get(0).values() == records.get(9).values()).isEqualTo(oneArray);
        }
    }
}
