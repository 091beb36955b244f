package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.state.DriftStats;
import dev.streamnorm.state.RunningStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnorm run --mode eval --drift}: on a file in which one key drifts midway, every key's
 * final drift record holds the DESIGN §8 numbers of its records in file order, only the drifting
 * key alerts, and records come every {@code --drift-interval} of event time.
 */
class DriftRunITCase {
    private static final int KEYS = 6;
    private static final int PER_KEY = 3000;
    private static final int DRIFTING = 2;

    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theFinalRecordOfEveryKeyIsItsDriftAndOnlyTheDriftingKeyAlerts(@TempDir Path tmp)
            throws Exception {
        DriftData data = new DriftData(KEYS, PER_KEY, DRIFTING, 31L);
        Path in = tmp.resolve("in.jsonl");
        Path stats = tmp.resolve("stats.json");
        Path drift = tmp.resolve("out/drift.jsonl");
        data.writeInput(in);
        data.writeStats(stats);
        DriftData.runEval(
                in,
                stats,
                tmp.resolve("out/normalized.jsonl"),
                drift,
                "--drift-interval",
                "5s",
                "--parallelism",
                "2");
        assertThat(Files.readAllLines(tmp.resolve("out/normalized.jsonl"))).hasSize(KEYS * PER_KEY);

        Map<String, List<JsonNode>> byKey = new LinkedHashMap<>();
        for (String line : Files.readAllLines(drift, StandardCharsets.UTF_8)) {
            JsonNode record = json.readTree(line);
            byKey.computeIfAbsent(record.get("key").asText(), k -> new ArrayList<>()).add(record);
        }
        assertThat(byKey).hasSize(KEYS);
        for (int k = 0; k < KEYS; k++) {
            List<JsonNode> records = byKey.get(DriftData.key(k));
            // 3000 records 10 ms apart span 30 s: six 5 s intervals, then the final record.
            assertThat(records).hasSize(7);
            for (int i = 0; i < 6; i++) {
                assertThat(records.get(i).get("ts").asLong())
                        .isEqualTo((DriftData.START / 5000 + 1 + i) * 5000);
                assertThat(records.get(i).get("records").asLong()).isEqualTo(500L * (i + 1));
            }
            JsonNode last = records.get(6);
            assertThat(last.get("ts").asLong()).isEqualTo(DriftData.START + 10L * (PER_KEY - 1));
            assertThat(last.get("stats_version").asText()).isEqualTo("initial");
            assertMatches(last, expected(data, k));
            assertThat(last.get("alert").asBoolean())
                    .as("alert of key %s", k)
                    .isEqualTo(k == DRIFTING);
        }
        JsonNode drifting = byKey.get(DriftData.key(DRIFTING)).get(6);
        assertThat(drifting.get("worst_shift").get("feature").asInt()).isOne();
        assertThat(drifting.get("worst_shift").get("shift").asDouble()).isBetween(3.5, 4.5);
        assertThat(drifting.get("max_psi").get("feature").asInt()).isOne();
        // Before the drift began (the third interval), the key did not alert.
        assertThat(byKey.get(DriftData.key(DRIFTING)).get(2).get("alert").asBoolean()).isFalse();
    }

    /** Key {@code k}'s records in file order, folded into {@link DriftStats}. */
    private static DriftStats expected(DriftData data, int k) {
        RunningStats served = RunningStats.of(data.mean[k].clone(), data.variance[k].clone(), 10);
        DriftStats stats = new DriftStats(2);
        for (int i = 0; i < data.values.size(); i++) {
            if (data.keysInOrder.get(i).equals(DriftData.key(k))) {
                stats.accept(data.values.get(i).clone(), 1, served, DriftData.EPS, 0.01);
            }
        }
        return stats;
    }

    private static void assertMatches(JsonNode record, DriftStats stats) {
        assertThat(record.get("records").asLong()).isEqualTo(stats.records());
        JsonNode features = record.get("features");
        assertThat(features).hasSize(2);
        for (int c = 0; c < 2; c++) {
            JsonNode f = features.get(c);
            assertThat(f.get("shift").asDouble()).isCloseTo(stats.shift(c), within(1e-12));
            assertThat(f.get("var_ratio").asDouble())
                    .isCloseTo(stats.varianceRatio(c), within(1e-12));
            assertThat(f.get("psi").asDouble()).isCloseTo(stats.psi(c), within(1e-12));
            assertThat(f.get("served_var").asDouble()).isEqualTo(stats.servedVariance(c));
        }
    }
}
