package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.demo.DemoBroker;
import dev.streamnorm.jobs.demo.DemoRun;
import dev.streamnorm.jobs.demo.SqlDemo;
import dev.streamnorm.jobs.io.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamnorm demo}: the whole pipeline on an in-process Kafka broker and local Flink. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Starts an in-process Kafka broker (KRaft), or uses yours (--bootstrap-servers), and a"
                    + " local Flink with its Web UI, produces"
                    + " synthetic feature vectors (keys with very different scales, drift, a few"
                    + " bad records), normalizes them exactly-once from Kafka to Kafka in train"
                    + " mode, and prints a summary. Then serves the learned stats in eval mode"
                    + " while one key drifts, and writes a drift report. Needs nothing installed"
                    + " or running."
        })
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--records",
            paramLabel = "N",
            defaultValue = "200000",
            description = "Records to produce (default: ${DEFAULT-VALUE})")
    long records;

    @Option(
            names = "--keys",
            paramLabel = "K",
            defaultValue = "8",
            description = "Number of keys (default: ${DEFAULT-VALUE})")
    int keys;

    @Option(
            names = "--features",
            paramLabel = "C",
            defaultValue = "8",
            description = "Features per record (default: ${DEFAULT-VALUE})")
    int features;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "32",
            description = "Mini-batch size per key (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            defaultValue = "2",
            description = "Flink parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description = "Checkpoint and Kafka commit interval (default: ${DEFAULT-VALUE})")
    Duration checkpointInterval;

    @Option(
            names = "--keep-running",
            description = "Keep producing (at --rate) and normalizing until interrupted")
    boolean keepRunning;

    @Option(
            names = "--rate",
            paramLabel = "R",
            defaultValue = "5000",
            description = "Records/s produced with --keep-running (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(
            names = "--drift-records",
            paramLabel = "N",
            defaultValue = "40000",
            description =
                    "Records of the drift phase after training: the learned stats serve them in"
                            + " eval mode while one key's distribution shifts midway; 0 skips it"
                            + " (default: ${DEFAULT-VALUE})")
    long driftRecords;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            defaultValue = "streamnorm-drift-report.html",
            description = "Where the drift phase writes its report (default: ${DEFAULT-VALUE})")
    Path report;

    // ---- your own Kafka (README "The demo on your own Kafka") ----

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT[,...]",
            description =
                    "Run on this Kafka cluster instead of an in-process broker: creates the demo's"
                            + " topics there if missing (they must hold no records)")
    String bootstrapServers;

    @Option(
            names = "--kafka-property",
            paramLabel = "K=V",
            description =
                    "Kafka client property for every client of the demo, e.g. SASL/SSL settings"
                            + " (repeatable; with --bootstrap-servers)")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @CommandLine.Mixin KafkaTimeoutOption kafkaTimeout = new KafkaTimeoutOption();

    @Option(
            names = "--sql",
            description =
                    "Run the demo through the SQL script jobs/src/main/resources/dev/streamnorm/"
                            + "jobs/demo/demo.sql (printed) instead of the DataStream job")
    boolean sql;

    @Override
    public Integer call() throws Exception {
        if (records <= 0
                || keys <= 0
                || features <= 0
                || batchSize <= 0
                || parallelism <= 0
                || rate <= 0
                || checkpointInterval.isZero()
                || checkpointInterval.isNegative()
                || driftRecords < 0
                || kafkaTimeout.kafkaTimeout.isZero()
                || kafkaTimeout.kafkaTimeout.isNegative()) {
            return ExitCodes.usageError(
                    spec,
                    "--records, --keys, --features, --batch-size, --parallelism, --rate,"
                            + " --checkpoint-interval and --kafka-timeout must be positive,"
                            + " --drift-records >= 0");
        }
        if (bootstrapServers == null && !kafkaProperties.isEmpty()) {
            return ExitCodes.usageError(
                    spec,
                    "--kafka-property needs --bootstrap-servers (the in-process broker takes none)");
        }
        if (sql && bootstrapServers != null) {
            return ExitCodes.usageError(
                    spec, "--sql runs on the in-process broker only: drop --bootstrap-servers");
        }
        if (sql) {
            return new SqlDemo(records, keys, features, parallelism, spec.commandLine().getOut())
                            .run()
                    ? ExitCodes.OK
                    : ExitCodes.FAILED;
        }
        DemoRun.Settings settings =
                new DemoRun.Settings(
                        records,
                        keys,
                        features,
                        batchSize,
                        parallelism,
                        checkpointInterval,
                        keepRunning,
                        rate,
                        driftRecords,
                        report);
        DemoRun demo = new DemoRun(settings, spec.commandLine().getOut());
        DemoBroker broker;
        try {
            broker =
                    demo.broker(
                            bootstrapServers,
                            new KafkaSettings(kafkaProperties),
                            kafkaTimeout.kafkaTimeout);
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        }
        try (broker) {
            return demo.run(broker) ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}
