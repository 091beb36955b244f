package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.StatsUpdate;
import dev.streamnorm.state.RunningStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link StatsUpdateSerializer}. */
class StatsUpdateSerializerTest extends SerializerTestBase<StatsUpdate> {

    @Override
    protected TypeSerializer<StatsUpdate> createSerializer() {
        return StatsUpdateSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<StatsUpdate> getTypeClass() {
        return StatsUpdate.class;
    }

    @Override
    protected StatsUpdate[] getTestData() {
        Map<String, RunningStats> several = new LinkedHashMap<>();
        several.put(
                "sensor-7", RunningStats.of(new double[] {0.5, -1e300}, new double[] {2, 0}, 12));
        several.put(
                "ключ-🙂", RunningStats.of(new double[] {-0.0, 3}, new double[] {1e-300, 4}, 0));
        several.put(StatsTable.ANY_KEY, RunningStats.initial(2));
        return new StatsUpdate[] {
            new StatsUpdate(
                    "0-17",
                    1_732_272_000_000L,
                    StatsTable.of(Map.of(StatsTable.ANY_KEY, RunningStats.initial(1)))),
            new StatsUpdate("2026-11-22", Long.MIN_VALUE, StatsTable.of(several)),
            new StatsUpdate("v", -5L, StatsTable.of(Map.of("a", RunningStats.initial(3))))
        };
    }
}
