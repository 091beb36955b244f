package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input of {@code streamnorm report}: one clear line on stderr, exit code 2, no page. */
class ReportCommandTest {
    @TempDir Path tmp;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not json | line 1 is not JSON: Unrecognized token 'not'",
                "{\"a\": 1} | line 1 is not a drift record: no \"key\" field",
                "{\"key\": \"k\", \"records\": 1, \"alert\": false} | line 1 is not a drift record: no \"features\" field",
                "'' | holds no drift records",
            })
    void badDriftRecordsGiveOneLineAndExitTwo(String content, String message) throws Exception {
        Path drift = Files.writeString(tmp.resolve("drift.jsonl"), content);
        Path page = tmp.resolve("report.html");
        StringWriter err = new StringWriter();

        int code =
                StreamnormCli.execute(
                        new String[] {
                            "report", "--drift", drift.toString(), "--out", page.toString()
                        },
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err));

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(message.trim());
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(page).doesNotExist();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"--drift-threshold=0", "--drift-psi=-1", "--max-keys=-1"})
    void badOptionsGiveOneLineAndExitTwo(String option) throws Exception {
        Path drift = Files.writeString(tmp.resolve("drift.jsonl"), "");
        StringWriter err = new StringWriter();
        int code =
                StreamnormCli.execute(
                        new String[] {
                            "report", "--drift", drift.toString(), "--out", "x.html", option
                        },
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err));
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().trim().lines()).hasSize(1);
    }
}
