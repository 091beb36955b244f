package dev.streamnorm.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.StatsUpdate;
import dev.streamnorm.state.RunningStats;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Stats-update messages: a stats file or state_dict with an optional version and time. */
class StatsUpdateDecoderTest {
    private final StatsUpdateDecoder decoder = new StatsUpdateDecoder();

    private StatsUpdate decode(String json) throws BadRecordException {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8), "0-42", 1_000L);
    }

    @Test
    void aStatsFileWithVersionAndEffectiveTime() throws Exception {
        StatsUpdate update =
                decode(
                        "{\"format\": \"streamnorm.stats/v1\", \"version\": \"2026-11-22\","
                                + " \"effective_from\": 1732272000000, \"keys\": {"
                                + "\"a\": {\"running_mean\": [1, 2], \"running_var\": [3, 4],"
                                + " \"num_batches_tracked\": 5},"
                                + "\"*\": {\"running_mean\": [0, 0], \"running_var\": [1, 1]}}}");

        assertThat(update.version()).isEqualTo("2026-11-22");
        assertThat(update.effectiveFrom()).isEqualTo(1_732_272_000_000L);
        assertThat(update.stats().keys()).containsExactly("a", StatsTable.ANY_KEY);
        assertThat(update.stats().lookupExact("a"))
                .isEqualTo(RunningStats.of(new double[] {1, 2}, new double[] {3, 4}, 5));
    }

    @Test
    void aStateDictWithoutVersionTakesTheMessagesPlaceAndTime() throws Exception {
        StatsUpdate update = decode("{\"running_mean\": [0.5], \"running_var\": [2.0]}");

        assertThat(update.version()).isEqualTo("0-42");
        assertThat(update.effectiveFrom()).isEqualTo(1_000L);
        assertThat(update.stats().lookupExact(StatsTable.ANY_KEY))
                .isEqualTo(RunningStats.of(new double[] {0.5}, new double[] {2.0}, 0));
    }

    @Test
    void aNumericVersionIsItsText() throws Exception {
        assertThat(
                        decode("{\"version\": 7, \"running_mean\": [0], \"running_var\": [1]}")
                                .version())
                .isEqualTo("7");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{not json | not valid JSON",
                "[1, 2] | a stats update must be a JSON object",
                "{\"format\": \"other\"} | expected \"format\": \"streamnorm.stats/v1\"",
                "{\"version\": [1], \"running_mean\": [0], \"running_var\": [1]} | \"version\" must be a string or a number",
                "{\"effective_from\": \"soon\", \"running_mean\": [0], \"running_var\": [1]} | \"effective_from\" must be epoch milliseconds",
                "{\"running_mean\": [0], \"running_var\": [-1]} | the variance >= 0",
            })
    void anUnusableMessageIsABadStatsUpdate(String json, String reason) {
        assertThatThrownBy(() -> decode(json.trim()))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e -> assertThat(e.error()).isEqualTo(ErrorCode.BAD_STATS_UPDATE))
                .hasMessageStartingWith("bad stats update: ")
                .hasMessageContaining(reason.trim());
    }
}
