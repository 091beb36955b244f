package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.codec.RecordLimits;
import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.io.LocalPath;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.LocalFlink;
import dev.streamnorm.jobs.pipeline.NormalizeJob;
import dev.streamnorm.jobs.pipeline.Preflight;
import dev.streamnorm.jobs.pipeline.PrometheusMetrics;
import dev.streamnorm.jobs.pipeline.RestartPolicy;
import dev.streamnorm.operators.Convention;
import dev.streamnorm.operators.DriftSettings;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.Scope;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamnorm run}: the normalization job from an input to an output endpoint. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Normalizes a stream of JSON feature records (DESIGN §3) with Flink.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:the job finished (bounded input)",
            "1:the job failed",
            "2:bad options or files"
        })
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "URI",
            description = "kafka://host:port/topic or file:///path.jsonl")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "URI",
            description = "kafka://host:port/topic, file:///path.jsonl or stdout")
    String output;

    @Option(
            names = "--dead-letter",
            paramLabel = "URI",
            description = "Where rejected records go (kafka:// or file://); default: stderr")
    String deadLetter;

    @Option(
            names = "--norm",
            paramLabel = "NORM",
            description =
                    "batch, layer, group, instance, l2, or a scikit-learn scaler: standard,"
                            + " minmax, maxabs, robust (default: the scaler of a scaler's --stats"
                            + " file, else batch)")
    String norm;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            defaultValue = "train",
            description = "train, eval or online (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(
            names = "--shape",
            paramLabel = "C|CxL",
            description = "Record shape; default: learned per key from its first record")
    String shape;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "32",
            description = "Records per mini-batch and key (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
            names = "--batch-interval",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Event-time tumbling mini-batches instead of counts")
    Duration batchInterval;

    @Option(
            names = "--batch-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description =
                    "Close a partial batch after this long; 0 never (default: ${DEFAULT-VALUE})")
    Duration batchTimeout;

    @Option(
            names = "--momentum",
            paramLabel = "M|cumulative",
            description = "Running-stats momentum (default: 0.1 pytorch, 0.99 keras)")
    String momentum;

    @Option(
            names = "--convention",
            paramLabel = "NAME",
            defaultValue = "pytorch",
            description = "pytorch or keras (default: ${DEFAULT-VALUE})")
    String convention;

    @Option(
            names = "--eps",
            paramLabel = "E",
            description = "Added to the variance (default: 1e-5 pytorch, 1e-3 keras)")
    Double eps;

    @Option(names = "--groups", paramLabel = "G", description = "Channel groups of group norm")
    Integer groups;

    @Option(
            names = "--affine",
            paramLabel = "FILE",
            description = "JSON {\"weight\": [...], \"bias\": [...]}")
    Path affine;

    @Option(
            names = "--stats",
            paramLabel = "FILE",
            description = "Stats file or PyTorch state_dict JSON: eval stats, train start")
    Path stats;

    @Option(
            names = "--align-to",
            paramLabel = "FILE[#KEY]",
            description =
                    "After normalizing, re-scale each channel to the mean and std of this stats"
                            + " file's entry KEY (default: '*', or its only entry)")
    String alignTo;

    @Option(
            names = "--stats-out",
            paramLabel = "FILE",
            description = "Write each key's final stats here when a bounded train run ends")
    Path statsOut;

    @Option(
            names = "--stats-updates",
            paramLabel = "URI",
            description =
                    "Eval mode: follow stats files published to kafka://host:port/topic (read from"
                            + " its earliest offset); each applies from its effective time on")
    String statsUpdates;

    @Option(
            names = "--stats-updates-idle",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description =
                    "Once the stats-update topic has been read up to its end offsets at (re)start,"
                            + " a quiet topic holds records back this long at most (default:"
                            + " ${DEFAULT-VALUE})")
    Duration statsUpdatesIdle;

    @Option(
            names = "--emit-stats-version",
            description = "Add \"stats_version\" (the stats that normalized it) to each record")
    boolean emitStatsVersion;

    // ---- drift of live features against the served stats (README "Drift") ----

    @Option(
            names = "--drift",
            paramLabel = "URI",
            description =
                    "Eval mode: write drift records of the live features against the served stats"
                            + " here (kafka://, file:// or stdout)")
    String drift;

    @Option(
            names = "--drift-interval",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "A drift record per key every DURATION of event time (default: only one per"
                            + " key, at the end of bounded input)")
    Duration driftInterval;

    @Option(
            names = "--drift-momentum",
            paramLabel = "M",
            description = "Weight of a new value in the live stats and histogram (default: 0.01)")
    Double driftMomentum;

    @Option(
            names = "--drift-threshold",
            paramLabel = "T",
            description = "Alert when a feature's |shift| reaches T (default: 3)")
    Double driftThreshold;

    @Option(
            names = "--drift-psi",
            paramLabel = "P",
            description = "Alert when a feature's psi reaches P (default: 0.25)")
    Double driftPsi;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description =
                    "Local runs: serve the job's metrics for Prometheus on 127.0.0.1:PORT/metrics")
    Integer metricsPort;

    @Option(names = "--parallelism", paramLabel = "P", description = "Job parallelism")
    Integer parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Checkpoint (and Kafka commit) interval (default: ${DEFAULT-VALUE})")
    Duration checkpointInterval;

    @Option(
            names = "--state-backend",
            paramLabel = "NAME",
            defaultValue = "hashmap",
            description = "hashmap or rocksdb (default: ${DEFAULT-VALUE})")
    String stateBackend;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "URI",
            description = "Checkpoint directory; checkpoints are retained on cancel")
    String checkpointDir;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description = "Resume from a savepoint or retained checkpoint")
    String fromSavepoint;

    @Option(
            names = "--delivery",
            paramLabel = "GUARANTEE",
            defaultValue = "exactly-once",
            description = "exactly-once or at-least-once (default: ${DEFAULT-VALUE})")
    String delivery;

    @Option(
            names = "--kafka-property",
            paramLabel = "K=V",
            description = "Kafka client property for every source and sink (repeatable)")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
            names = "--group-id",
            paramLabel = "ID",
            defaultValue = "streamnorm",
            description = "Kafka consumer group (default: ${DEFAULT-VALUE})")
    String groupId;

    @Option(
            names = "--starting-offsets",
            paramLabel = "WHERE",
            defaultValue = "committed",
            description =
                    "committed (else earliest), earliest or latest (default: ${DEFAULT-VALUE})")
    String startingOffsets;

    @Option(
            names = "--bounded",
            description =
                    "Kafka input: read up to the offsets that are the latest when the job starts,"
                            + " then finish like a file run")
    boolean bounded;

    @Option(
            names = "--transaction-timeout",
            paramLabel = "DURATION",
            defaultValue = "10min",
            converter = DurationConverter.class,
            description =
                    "Kafka transaction timeout, <= the broker's max (default: ${DEFAULT-VALUE})")
    Duration transactionTimeout;

    @Option(
            names = "--state-ttl",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Forget keys not seen for this long")
    Duration stateTtl;

    @Option(
            names = "--scope",
            paramLabel = "SCOPE",
            defaultValue = "key",
            description =
                    "key: statistics per record key; global: one set shared by all records,"
                            + " merged across subtasks (default: ${DEFAULT-VALUE})")
    String scope;

    @CommandLine.Mixin ScalerOptions scalerOptions = new ScalerOptions();

    @CommandLine.Mixin BackpressureOptions backpressureOptions = new BackpressureOptions();

    @CommandLine.Mixin KafkaTimeoutOption kafkaTimeout = new KafkaTimeoutOption();

    @Option(
            names = "--restart-attempts",
            paramLabel = "N",
            defaultValue = "" + RestartPolicy.DEFAULT_ATTEMPTS,
            description =
                    "Restarts in a row (from the last checkpoint, back-off 1s doubling to 10s)"
                            + " before a failing run ends; 0 none (default: ${DEFAULT-VALUE})")
    int restartAttempts;

    // ---- input limits (README "Limits on input records") ----

    @Option(
            names = "--max-record-bytes",
            paramLabel = "N",
            defaultValue = "" + RecordLimits.DEFAULT_MAX_RECORD_BYTES,
            description =
                    "A message or line over N bytes is a too-large dead letter, found before it is"
                            + " parsed (default: ${DEFAULT-VALUE}, Kafka's default max message"
                            + " size)")
    int maxRecordBytes;

    @Option(
            names = "--job-name",
            paramLabel = "NAME",
            defaultValue = "streamnorm",
            description = "Flink job name (default: ${DEFAULT-VALUE})")
    String jobName;

    @Override
    public Integer call() throws Exception {
        JobConfig config;
        Configuration flinkConf;
        try {
            config = jobConfig();
            Duration timeout = kafkaTimeout.timeout();
            flinkConf = NormalizeJob.flinkConfiguration(config);
            RestartPolicy.apply(flinkConf, restartAttempts);
            Preflight.check(config, timeout);
        } catch (IllegalArgumentException e) {
            return ExitCodes.usageError(spec, e.getMessage());
        }
        if (metricsPort != null) {
            PrometheusMetrics.configure(flinkConf, metricsPort);
        }
        StreamExecutionEnvironment env = LocalFlink.environment(flinkConf);
        try {
            NormalizeJob.run(env, config);
            return ExitCodes.OK;
        } catch (Exception e) {
            return ExitCodes.failed(spec, "the job failed", e);
        }
    }

    /** Parses and validates every option; file contents are read here too. */
    JobConfig jobConfig() {
        return endpointsAndLayer()
                .withMaxRecordBytes(maxRecordBytes)
                .withBackpressure(backpressureOptions.settings());
    }

    private JobConfig endpointsAndLayer() {
        if (metricsPort != null && (metricsPort < 1 || metricsPort > 65535)) {
            throw new IllegalArgumentException(
                    "--metrics-port must be in 1..65535, got " + metricsPort);
        }
        Norm normalizer =
                norm != null
                        ? enumOf(Norm.class, norm, "--norm")
                        : ScalerOptions.normOfStats(stats);
        NormalizationBuilder normalization = Normalization.builder();
        @Nullable
        RecordShape scalerShape = scalerOptions.configure(normalization, normalizer, stats);
        @Nullable
        StatsFile statsFile = stats == null || normalizer.isScaler() ? null : StatsFile.read(stats);
        // An affine given by neither leaves the one of a restored savepoint in place.
        @Nullable
        Affine affineTransform =
                affine != null
                        ? StatsFile.readAffine(affine)
                        : statsFile != null && !statsFile.affine.isIdentity()
                                ? statsFile.affine
                                : null;
        RecordShape recordShape =
                shape != null
                        ? RecordShape.parse(shape)
                        : statsFile != null ? statsFile.shape : scalerShape;
        Double epsilon = eps != null ? eps : statsFile != null ? statsFile.eps : null;
        normalization
                .setNorm(normalizer)
                .setMode(enumOf(Mode.class, mode, "--mode"))
                .setShape(recordShape)
                .setBatchSize(batchSize)
                .setBatchInterval(batchInterval)
                .setBatchTimeout(batchTimeout)
                .setConvention(enumOf(Convention.class, convention, "--convention"))
                .setMomentum(momentum == null ? null : Momentum.parse(momentum))
                .setEps(epsilon)
                .setGroups(groups)
                .setStatsFromSavepoint(fromSavepoint != null)
                .setStateTtl(stateTtl)
                .setScope(enumOf(Scope.class, scope, "--scope"))
                .setEmitFinalStats(statsOut != null)
                .setEmitStatsVersion(emitStatsVersion)
                .setDrift(driftSettings());
        if (affineTransform != null) {
            normalization.setAffine(affineTransform);
        }
        if (alignTo != null) {
            normalization.setAlignTo(alignReference(alignTo));
        }
        if (statsFile != null) {
            normalization.setInitialStats(statsFile.stats);
        }
        return new JobConfig(
                jobName,
                Endpoint.parse(input),
                Endpoint.parse(output),
                deadLetter == null ? null : Endpoint.parse(deadLetter),
                normalization.build(),
                enumOf(Delivery.class, delivery, "--delivery"),
                checkpointInterval,
                stateBackend.toLowerCase(Locale.ROOT),
                checkpointDir == null ? null : LocalPath.flinkUri(checkpointDir),
                fromSavepoint == null ? null : LocalPath.flinkUri(fromSavepoint),
                parallelism,
                new KafkaSettings(kafkaProperties),
                groupId,
                enumOf(JobConfig.StartingOffsets.class, startingOffsets, "--starting-offsets"),
                bounded,
                transactionTimeout,
                statsOut,
                statsUpdates == null ? null : Endpoint.parse(statsUpdates),
                statsUpdatesIdle,
                drift == null ? null : Endpoint.parse(drift));
    }

    /** The drift settings of {@code --drift}, or null; the other drift options need it. */
    @Nullable
    private DriftSettings driftSettings() {
        if (drift == null) {
            if (driftInterval != null
                    || driftMomentum != null
                    || driftThreshold != null
                    || driftPsi != null) {
                throw new IllegalArgumentException(
                        "--drift-interval, --drift-momentum, --drift-threshold and --drift-psi"
                                + " need --drift URI");
            }
            return null;
        }
        return DriftSettings.of(
                driftInterval,
                driftMomentum != null ? driftMomentum : DriftSettings.DEFAULT_MOMENTUM,
                driftThreshold != null ? driftThreshold : DriftSettings.DEFAULT_THRESHOLD,
                driftPsi != null ? driftPsi : DriftSettings.DEFAULT_PSI);
    }

    /** The stats entry that {@code FILE[#KEY]} names: KEY, else '*', else the only entry. */
    static RunningStats alignReference(String spec) {
        int hash = spec.lastIndexOf('#');
        Path file = LocalPath.parse(hash < 0 ? spec : spec.substring(0, hash));
        StatsTable table = StatsFile.read(file).stats;
        String key = hash < 0 ? null : spec.substring(hash + 1);
        if (key == null) {
            if (table.keys().contains(StatsTable.ANY_KEY)) {
                key = StatsTable.ANY_KEY;
            } else if (table.keys().size() == 1) {
                key = table.keys().iterator().next();
            } else {
                throw new IllegalArgumentException(
                        "--align-to: "
                                + file
                                + " has "
                                + table.keys().size()
                                + " entries and no '*': name one as FILE#KEY");
            }
        }
        RunningStats reference = table.lookupExact(key);
        if (reference == null) {
            throw new IllegalArgumentException(
                    "--align-to: " + file + " has no entry '" + key + "'");
        }
        return reference;
    }

    /** {@code exactly-once} → {@code EXACTLY_ONCE}, with a message listing the choices. */
    static <E extends Enum<E>> E enumOf(Class<E> type, String value, String option) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(name)) {
                return constant;
            }
        }
        StringBuilder choices = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            choices.append(choices.length() == 0 ? "" : ", ")
                    .append(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new IllegalArgumentException(
                option + " must be one of " + choices + ", got '" + value + "'");
    }
}
