package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scaler stats files and dumped scikit-learn scalers: reading, writing, round trips. */
class ScalerStatsFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aDumpedScikitLearnScalerIsTheAnyKeyEntry() throws Exception {
        ScalerStatsFile file =
                ScalerStatsFile.of(
                        JSON.readTree(
                                "{\"sklearn\": \"StandardScaler\", \"params\": {\"with_mean\":"
                                        + " false, \"with_std\": true, \"copy\": true},"
                                        + " \"attributes\": {\"mean_\": [1.5, 2], \"var_\": [4, 0],"
                                        + " \"scale_\": [2, 1], \"n_samples_seen_\": [7, 7],"
                                        + " \"n_features_in_\": 2}}"));
        assertThat(file.kind).isEqualTo(ScalerKind.STANDARD);
        assertThat(file.params.withMean).isFalse();
        ScalerTable.Entry entry = file.table.lookup("any key");
        assertThat(entry.count).isEqualTo(7);
        double[] out = new double[2];
        file.table.fitted(entry, file.params).transform(new double[] {3, 5}, out);
        assertThat(out).containsExactly(1.5, 5.0);
    }

    @Test
    void aStatsFileRoundTripsAndResumesTraining(@TempDir Path tmp) throws Exception {
        ScalerParams params = ScalerParams.defaults().withRobust(true, true, 10, 90, true);
        Map<String, ScalerStats> stats = new TreeMap<>();
        for (String key : new String[] {"a", "b"}) {
            ScalerStats s = ScalerStats.empty(ScalerKind.ROBUST, 2, 400);
            for (int i = 0; i < 1000; i++) {
                s.accept(new double[] {i % 37, key.equals("a") ? i : -i});
            }
            stats.put(key, s);
        }
        ScalerStatsFile file = ScalerStatsFile.of(ScalerKind.ROBUST, params, null, stats);
        Path path = tmp.resolve("robust.json");
        file.write(path, file.table.keys());
        ScalerStatsFile read = ScalerStatsFile.read(path);
        assertThat(read.params).isEqualTo(params);
        assertThat(read.table.resume(read.table.lookupExact("a"))).isEqualTo(stats.get("a"));
        assertThat(read.sklearn("b").get("attributes").get("center_"))
                .isEqualTo(
                        JSON.readTree(Files.readString(path)).get("keys").get("b").get("center_"));
        assertThat(read.sklearn("b").get("params").get("quantile_range").get(0).asDouble())
                .isEqualTo(10.0);
    }

    @Test
    void badFilesSayWhatIsWrong() {
        assertThatThrownBy(
                        () ->
                                ScalerStatsFile.of(
                                        JSON.readTree(
                                                "{\"sklearn\": \"Normalizer\", \"attributes\": {}}")))
                .hasMessageStartingWith("unknown scaler 'Normalizer'");
        assertThatThrownBy(
                        () ->
                                ScalerStatsFile.of(
                                        JSON.readTree(
                                                "{\"format\": \"streamnorm.stats/v1\", \"norm\":"
                                                        + " \"minmax\", \"clip\": \"yes\", \"keys\":"
                                                        + " {\"a\": {\"scale_\": [1]}}}")))
                .hasMessage("\"clip\" must be true or false");
        assertThatThrownBy(
                        () ->
                                ScalerStatsFile.of(
                                        JSON.readTree(
                                                "{\"sklearn\": \"MaxAbsScaler\", \"attributes\":"
                                                        + " {\"scale_\": [1, \"x\"]}}")))
                .hasMessage("\"attributes.scale_[1]\" must be a number");
    }
}
