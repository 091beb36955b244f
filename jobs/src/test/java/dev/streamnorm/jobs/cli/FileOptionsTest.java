package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.pipeline.JobConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Every option that names a file takes a plain path and a {@code file://} URI and means the same
 * file with both; another scheme is one clear line and exit code 2.
 */
class FileOptionsTest {
    private static final String STATS =
            "{\"format\": \"streamnorm.stats/v1\", \"norm\": \"batch\", \"shape\": [2, 1],"
                    + " \"keys\": {\"*\": {\"running_mean\": [1.5, -2.0], \"running_var\": [4.0,"
                    + " 0.25], \"num_batches_tracked\": 3}}}";

    @TempDir Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return StreamnormCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** The two spellings of {@code file}: {@code plain} or {@code uri}. */
    private static String spell(Path file, String form) {
        return form.equals("uri") ? file.toUri().toString() : file.toString();
    }

    private JobConfig parseRun(String... options) {
        RunCommand command = new RunCommand();
        CommandLine cli = new CommandLine(command);
        cli.registerConverter(Path.class, new LocalPathConverter());
        String[] args = new String[options.length + 4];
        args[0] = "--input";
        args[1] = tmp.resolve("in.jsonl").toUri().toString();
        args[2] = "--output";
        args[3] = "stdout";
        System.arraycopy(options, 0, args, 4, options.length);
        cli.parseArgs(args);
        return command.jobConfig();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "uri"})
    void runFileOptionsTakeBothForms(String form) throws Exception {
        Path stats = Files.writeString(tmp.resolve("stats.json"), STATS);
        Path affine =
                Files.writeString(
                        tmp.resolve("affine.json"), "{\"weight\": [2, 3], \"bias\": [0.5, 1]}");
        Path statsOut = tmp.resolve("final.json");

        JobConfig eval =
                parseRun(
                        "--mode", "eval",
                        "--stats", spell(stats, form),
                        "--affine", spell(affine, form),
                        "--checkpoint-dir", spell(tmp.resolve("checkpoints"), form),
                        "--from-savepoint", spell(tmp.resolve("savepoint"), form));
        JobConfig aligned = parseRun("--align-to", spell(stats, form) + "#*");
        JobConfig train = parseRun("--stats-out", spell(statsOut, form));

        assertThat(eval.normalization.initialStats().lookupExact("*").meanArray())
                .containsExactly(1.5, -2.0);
        assertThat(eval.normalization.affine().weight(1)).isEqualTo(3.0);
        assertThat(eval.normalization.affine().bias(1)).isEqualTo(1.0);
        // Aligned to the '*' entry: weight sqrt(0.25), bias -2.0 for the second channel.
        assertThat(aligned.normalization.affine().weight(1)).isEqualTo(0.5);
        assertThat(aligned.normalization.affine().bias(1)).isEqualTo(-2.0);
        assertThat(eval.checkpointDir).isEqualTo(tmp.resolve("checkpoints").toUri().toString());
        assertThat(eval.fromSavepoint).isEqualTo(tmp.resolve("savepoint").toUri().toString());
        assertThat(train.statsOut).isEqualTo(statsOut);
    }

    @Test
    void aRelativeCheckpointDirIsMadeAbsolute() {
        JobConfig config = parseRun("--checkpoint-dir", "cp");

        assertThat(config.checkpointDir)
                .isEqualTo(Path.of("cp").toAbsolutePath().toUri().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--stats", "--affine", "--stats-out", "--align-to"})
    void anotherSchemeIsOneLineAndExitTwo(String option) {
        String[] args = {
            "run",
            "--input",
            tmp.resolve("in.jsonl").toString(),
            "--output",
            "stdout",
            option,
            "s3://bucket/file.json"
        };

        assertThat(run(args)).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(err.toString())
                .contains("'s3://bucket/file.json' is not a local file")
                .doesNotContain("Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "uri"})
    void statsCommandsTakeBothForms(String form) throws Exception {
        Path in = Files.writeString(tmp.resolve("in.json"), STATS);
        Path savepoint = tmp.resolve("savepoint");
        Path exported = tmp.resolve("exported.json");
        Function<Path, String> f = p -> spell(p, form);

        assertThat(
                        run(
                                "stats",
                                "import",
                                "--in",
                                f.apply(in),
                                "--savepoint-out",
                                f.apply(savepoint)))
                .as("%s", err)
                .isZero();
        assertThat(savepoint.resolve("_metadata")).isRegularFile();
        assertThat(run("stats", "show", f.apply(savepoint))).as("%s", err).isZero();
        assertThat(run("stats", "show", f.apply(in))).as("%s", err).isZero();
        assertThat(
                        run(
                                "stats",
                                "export",
                                "--savepoint",
                                f.apply(savepoint),
                                "--out",
                                f.apply(exported)))
                .as("%s", err)
                .isZero();

        assertThat(exported).isRegularFile();
        assertThat(Files.readString(exported)).contains("1.5").contains("-2.0").contains("0.25");
        assertThat(out.toString().lines().filter(l -> l.contains("0.25")).count()).isEqualTo(2);
        assertThat(err.toString()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "uri"})
    void conformanceTakesBothForms(String form) {
        Path golden = Path.of(System.getProperty("streamnorm.golden.dir", "../golden"));
        Path oneCase = golden.resolve("23_ln_2d_eps1e-5_affine.json").toAbsolutePath();

        assertThat(run("conformance", spell(oneCase, form))).isZero();
        assertThat(out.toString()).contains("1 passed, 0 failed");
    }
}
