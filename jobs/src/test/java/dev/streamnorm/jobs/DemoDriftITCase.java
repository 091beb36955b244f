package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cli.StreamnormCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnorm demo}: after training, the learned stats serve an eval job while one key
 * drifts; the demo writes the report (read back from the drift topic), prints its path and names
 * exactly the drifting key.
 */
class DemoDriftITCase {
    @Test
    void theDemoNamesTheDriftingKeyAndWritesTheReport(@TempDir Path tmp) {
        Path report = tmp.resolve("report.html");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                StreamnormCli.execute(
                        new String[] {
                            "demo",
                            "--records",
                            "8000",
                            "--keys",
                            "4",
                            "--features",
                            "3",
                            "--drift-records",
                            "16000",
                            "--report",
                            report.toString()
                        },
                        new PrintWriter(out, true),
                        new PrintWriter(err, true));

        assertThat(exit).as("exit code; stdout:%n%s%nstderr:%n%s", out, err).isZero();
        assertThat(out.toString())
                .contains("records in 8,000 = out 7,968 + dead letters 32")
                .contains("wrong-length=6")
                .contains("sensor-2's feature 0 moves by 4.0 sigma halfway through 16000 records")
                .contains(
                        "drift: 4 keys watched against the served stats; keys in alert: [sensor-2]"
                                + " (the drifting key: sensor-2)")
                .contains("drift report: " + report.toAbsolutePath());
        assertThat(Files.isRegularFile(report)).isTrue();
    }
}
