package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.LocalPath;
import dev.streamnorm.operators.Normalization;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamnorm stats export|import|show}: savepoints and stats files (DESIGN §4). */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description =
                "Moves running stats between savepoints and stats files (DESIGN §4); compares"
                        + " two of them.",
        subcommands = {
            StatsExportCommand.class,
            StatsImportCommand.class,
            StatsShowCommand.class,
            StatsDiffCommand.class
        })
final class StatsCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The operator uid option of every stats command that touches a savepoint. */
    static final class UidOption {
        @Option(
                names = "--uid",
                paramLabel = "UID",
                defaultValue = Normalization.OPERATOR_UID,
                description = "Operator uid of the batch-norm operator (default: ${DEFAULT-VALUE})")
        String uid;
    }

    /** Options shared by the commands that read a savepoint. */
    static final class SavepointOptions {
        @Mixin UidOption operator = new UidOption();

        @Option(
                names = "--state-backend",
                paramLabel = "NAME",
                defaultValue = "hashmap",
                description =
                        "Backend that reads the snapshot: hashmap for savepoints (canonical"
                                + " format), rocksdb for RocksDB checkpoints (default:"
                                + " ${DEFAULT-VALUE})")
        String stateBackend;

        StateBackend backend() {
            switch (stateBackend) {
                case "hashmap":
                    return new HashMapStateBackend();
                case "rocksdb":
                    return new EmbeddedRocksDBStateBackend();
                default:
                    throw new IllegalArgumentException(
                            "--state-backend must be hashmap or rocksdb, got '"
                                    + stateBackend
                                    + "'");
            }
        }
    }

    /**
     * Whether {@code path} names a savepoint or checkpoint: a directory with {@code _metadata}, or
     * that file itself.
     */
    static boolean isSavepoint(String path) {
        Path local = LocalPath.parse(path);
        return Files.isRegularFile(local.resolve("_metadata"))
                || local.getFileName() != null
                        && local.getFileName().toString().equals("_metadata");
    }
}
