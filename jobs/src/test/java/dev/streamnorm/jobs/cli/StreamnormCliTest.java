package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamnormCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return StreamnormCli.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    private static final String COUNTER_ONE = "\"num_batches_tracked\": 1";

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String goldenDir() {
        return System.getProperty("streamnorm.golden.dir", "../golden");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("conformance");
    }

    @Test
    void versionNamesTheProjectFlinkKafkaAndTheCommit() {
        for (String flag : new String[] {"--version", "-V"}) {
            out.getBuffer().setLength(0);

            assertThat(run(flag)).isZero();
            assertThat(out.toString().lines())
                    .hasSize(4)
                    .satisfies(l -> assertThat(l.get(0)).matches("streamnorm \\d+\\.\\d+\\.\\d+.*"))
                    .contains("Flink " + System.getProperty("streamnorm.flink.version"))
                    .contains("Kafka client " + System.getProperty("streamnorm.kafka.version"))
                    .anySatisfy(l -> assertThat(l).matches("commit ([0-9a-f]{12}.*|unknown)"));
        }
    }

    @Test
    void conformanceExitsZeroWhenEveryCasePasses() {
        assertThat(run("conformance", goldenDir())).isEqualTo(ExitCodes.OK);
        assertThat(out.toString()).containsPattern("(?m)^\\d+ passed, 0 failed$");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void conformanceExitsOneOnAMismatch(@TempDir Path tmp) throws Exception {
        String text;
        try (Stream<Path> files = Files.list(Path.of(goldenDir()))) {
            text =
                    files.sorted()
                            .map(StreamnormCliTest::read)
                            .filter(t -> t.contains(COUNTER_ONE))
                            .findFirst()
                            .orElseThrow()
                            .replace(COUNTER_ONE, "\"num_batches_tracked\": 5");
        }
        Path file = Files.writeString(tmp.resolve("case.json"), text);

        assertThat(run("conformance", file.toString())).isEqualTo(ExitCodes.FAILED);
        assertThat(out.toString()).contains("FAIL ").endsWith("0 passed, 1 failed\n");
    }

    @Test
    void unreadableFileGivesOneLineAndExitTwo(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("broken.json"), "[1, 2");

        assertThat(run("conformance", file.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("streamnorm conformance: ").contains("broken.json");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void badOptionGivesOneLineAndExitTwo() {
        assertThat(run("conformance", "--no-such-option", "x")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(err.toString()).contains("--no-such-option").doesNotContain("Exception");
        assertThat(run("no-such-command")).isEqualTo(ExitCodes.USAGE);
    }
}
