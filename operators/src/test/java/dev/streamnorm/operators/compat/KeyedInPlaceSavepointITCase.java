package dev.streamnorm.operators.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Savepoints move between a train job keyed in place (parallelism 1, no keyBy) and one keyed by a
 * keyBy (parallelism 2), in both directions and with both state backends: the restored job closes
 * the restored open batches and goes on from the restored running stats exactly as {@link
 * TrainReplay} computes them from the input.
 */
class KeyedInPlaceSavepointITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = CompatMiniCluster.twoSlots();

    @ParameterizedTest(name = "{0}: taken at parallelism {1}, restored at {2}")
    @CsvSource({"HASHMAP, 1, 2", "ROCKSDB, 1, 2", "HASHMAP, 2, 1", "ROCKSDB, 2, 1"})
    void aTrainSavepointRestoresAcrossTheKeyBy(Backend backend, int takenAt, int restoredAt)
            throws Exception {
        Normalization train =
                SavepointGenerator.TRAIN.builder(Mode.TRAIN).setEmitFinalStats(true).build();
        Path savepoint =
                Paths.get(URI.create(SavepointGenerator.takeSavepoint(train, backend, takenAt)));
        List<FeatureRecord> input = new ArrayList<>();
        for (long i = 0; i < 12; i++) {
            input.add(SavepointGenerator.record(i));
        }

        List<String> lines = RestoredRun.run(train, savepoint, backend, restoredAt, input);

        assertThat(lines)
                .isEqualTo(
                        TrainReplay.restoredRunLines(
                                train, SavepointGenerator.expectedTrain(), input));
        assertThat(lines)
                .as("the restored open batches are emitted with their payloads")
                .anyMatch(l -> l.startsWith("O|sensor-a|"));
        assertThat(lines).filteredOn(l -> l.startsWith("S|")).hasSize(5);
    }
}
