package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.pipeline.LocalFlink;
import dev.streamnorm.sql.SqlRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.SqlParserException;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamnorm sql}: runs a SQL script on local Flink (or, with {@code -D
 * execution.target=remote -D rest.address=...}, on a cluster) with the streamnorm functions loaded
 * and Flink's connectors and formats (Kafka, filesystem; json, csv, avro) on the classpath.
 */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Runs SQL (DDL, INSERT INTO, SET, queries) with BATCH_NORM, LAYER_NORM, GROUP_NORM,"
                        + " INSTANCE_NORM and L2_NORM loaded. Exit code 2: the file is missing or a"
                        + " statement is invalid; 1: a job failed.")
final class SqlCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    Script script;

    static final class Script {
        @Option(
                names = {"-f", "--file"},
                paramLabel = "FILE",
                required = true,
                description = "the SQL script to run")
        @Nullable
        Path file;

        @Option(
                names = {"-e", "--execute"},
                paramLabel = "SQL",
                required = true,
                description = "the SQL statements to run")
        @Nullable
        String text;
    }

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            defaultValue = "1",
            description = "default parallelism of the jobs (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description = "restore the script's jobs from this savepoint or retained checkpoint")
    @Nullable
    String fromSavepoint;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description = "a Flink configuration option (repeatable), as SET in the script")
    Map<String, String> flinkOptions = new LinkedHashMap<>();

    @Override
    public Integer call() {
        String sql;
        try {
            sql = script.text != null ? script.text : Files.readString(script.file);
        } catch (NoSuchFileException e) {
            return ExitCodes.usageError(spec, "no such file: " + script.file);
        } catch (IOException e) {
            return ExitCodes.usageError(spec, "cannot read " + script.file + ": " + e);
        }
        if (parallelism < 1) {
            return ExitCodes.usageError(spec, "--parallelism must be positive, got " + parallelism);
        }
        StreamExecutionEnvironment env = LocalFlink.environment(configuration());
        try {
            new SqlRunner(StreamTableEnvironment.create(env)).run(sql);
            return ExitCodes.OK;
        } catch (ValidationException | SqlParserException e) {
            return ExitCodes.usageError(spec, rootMessage(e));
        } catch (Exception e) {
            return ExitCodes.failed(spec, "the job failed", e);
        }
    }

    private Configuration configuration() {
        Configuration conf = Configuration.fromMap(flinkOptions);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(PipelineOptions.NAME, "streamnorm sql");
        if (fromSavepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, fromSavepoint);
        }
        return conf;
    }

    /** The message of the innermost cause: the one that names the statement's mistake. */
    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage().replace('\n', ' ').trim();
    }
}
