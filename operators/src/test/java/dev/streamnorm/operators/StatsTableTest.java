package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.state.RunningStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link StatsTable}: per-key lookup, the '*' fallback, and copies that callers may mutate. */
class StatsTableTest {
    private static final RunningStats STAR =
            RunningStats.of(new double[] {1, 2}, new double[] {3, 4}, 5);
    private static final RunningStats OWN =
            RunningStats.of(new double[] {-1, -2}, new double[] {0.5, 0}, 0);

    @Test
    void aKeysOwnEntryWinsOverStar() {
        Map<String, RunningStats> entries = new LinkedHashMap<>();
        entries.put("own", OWN);
        entries.put(StatsTable.ANY_KEY, STAR);
        StatsTable table = StatsTable.of(entries);
        assertThat(table.lookup("own")).contains(OWN);
        assertThat(table.lookup("other")).contains(STAR);
        assertThat(table.keys()).containsExactly("own", "*");
        assertThat(table.channels()).isEqualTo(2);
        assertThat(table.isEmpty()).isFalse();
    }

    @Test
    void withoutStarAnUnknownKeyHasNoStats() {
        StatsTable table = StatsTable.of(Map.of("own", OWN));
        assertThat(table.lookup("other")).isEmpty();
        assertThat(StatsTable.empty().lookup("own")).isEmpty();
        assertThat(StatsTable.empty().channels()).isEqualTo(-1);
        assertThat(StatsTable.empty().isEmpty()).isTrue();
    }

    @Test
    void lookupsAreIndependentCopies() {
        double[] mean = {1, 2};
        StatsTable table =
                StatsTable.of(Map.of("*", RunningStats.of(mean, new double[] {3, 4}, 5)));
        mean[0] = 100;
        RunningStats first = table.lookup("k").orElseThrow();
        assertThat(first).isEqualTo(STAR);
        assertThat(first).isNotSameAs(table.lookup("k").orElseThrow());
    }

    @Test
    void entriesMustShareTheirChannels() {
        Map<String, RunningStats> entries = new LinkedHashMap<>();
        entries.put("a", STAR);
        entries.put("b", RunningStats.initial(3));
        assertThatThrownBy(() -> StatsTable.of(entries))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stats of key 'b' have 3 channels, others have 2");
    }

    @Test
    void errorCodesRoundTripThroughTheirNames() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.ofCode(code.code())).isSameAs(code);
        }
        assertThat(ErrorCode.NON_FINITE.code()).isEqualTo("non-finite");
        assertThat(ErrorCode.NO_STATS.code()).isEqualTo("no-stats");
        assertThatThrownBy(() -> ErrorCode.ofCode("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown error code 'nope'");
    }
}
