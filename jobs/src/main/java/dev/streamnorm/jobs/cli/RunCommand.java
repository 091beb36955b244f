package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.codec.RecordLimits;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.LocalFlink;
import dev.streamnorm.jobs.pipeline.NormalizeJob;
import dev.streamnorm.jobs.pipeline.Preflight;
import dev.streamnorm.jobs.pipeline.PrometheusMetrics;
import dev.streamnorm.jobs.pipeline.RestartPolicy;
import dev.streamnorm.operators.NormalizationBuilder;
import java.time.Duration;
import java.util.concurrent.Callable;
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

    // The mixins and options stand in the order of --help.

    @CommandLine.Mixin EndpointOptions endpoints = new EndpointOptions();

    @CommandLine.Mixin NormalizationOptions normalizationOptions = new NormalizationOptions();

    @CommandLine.Mixin DriftOptions driftOptions = new DriftOptions();

    @CommandLine.Mixin RuntimeOptions runtime = new RuntimeOptions();

    @CommandLine.Mixin KafkaOptions kafka = new KafkaOptions();

    @CommandLine.Mixin StatsScopeOptions statsScope = new StatsScopeOptions();

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
        if (runtime.metricsPort != null) {
            PrometheusMetrics.configure(flinkConf, runtime.metricsPort);
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
        runtime.checkMetricsPort();
        NormalizationBuilder normalization =
                normalizationOptions.builder(
                        scalerOptions, statsScope, driftOptions, runtime.resumes());
        return new JobConfig(
                        jobName,
                        endpoints.input(),
                        endpoints.output(),
                        endpoints.deadLetter(),
                        normalization.build(),
                        kafka.delivery(),
                        runtime.checkpointInterval,
                        runtime.stateBackend(),
                        runtime.checkpointDir(),
                        runtime.fromSavepoint(),
                        runtime.parallelism,
                        kafka.settings(),
                        kafka.groupId,
                        kafka.startingOffsets(),
                        kafka.bounded,
                        kafka.transactionTimeout,
                        normalizationOptions.statsOut,
                        normalizationOptions.statsUpdates(),
                        normalizationOptions.statsUpdatesIdle,
                        driftOptions.endpoint())
                .withMaxRecordBytes(maxRecordBytes)
                .withBackpressure(backpressureOptions.settings());
    }
}
