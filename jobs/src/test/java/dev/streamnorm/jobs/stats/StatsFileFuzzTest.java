package dev.streamnorm.jobs.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.streamnorm.operators.StatsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any bytes read as a stats file give a stats file or an {@link IllegalArgumentException} whose
 * message is one line (what {@code streamnorm run --stats} prints before it exits with 2), and so
 * do its layer settings. Runs the seed corpus under {@code src/test/resources} in every build;
 * {@code -Pfuzz} fuzzes it.
 */
class StatsFileFuzzTest {
    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        file = Files.createTempFile("fuzz-stats-", ".json");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "60s")
    void readsOrRejectsOnOneLine(byte[] content) throws IOException {
        Files.write(file, content);
        try {
            StatsFile stats = StatsFile.read(file);
            assertThat(stats.stats.keys()).isNotEmpty();
            stats.settings();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").doesNotContain("\r");
        }
    }
}
