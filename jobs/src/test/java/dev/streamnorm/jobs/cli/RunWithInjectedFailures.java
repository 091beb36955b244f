package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.cluster.InjectedFailures;
import dev.streamnorm.jobs.io.Connectors;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.NormalizeJob;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * {@code streamnorm run} with {@link InjectedFailures} between the source and decoding, for the
 * cluster tests: they submit this class from the test classes together with the job jar ({@code
 * flink run -C file:///.../test-classes/ -c dev.streamnorm.jobs.cli.RunWithInjectedFailures
 * streamnorm.jar ...}), so the failures stay out of the product.
 *
 * <p>Arguments: {@code MARKER_DIR PROCESSING_FAILURE_SEQ SNAPSHOT_FAILURE_SEQ} (see {@link
 * InjectedFailures}), then the options of {@code streamnorm run}.
 */
public final class RunWithInjectedFailures {
    private RunWithInjectedFailures() {}

    public static void main(String[] args) throws Exception {
        InjectedFailures failures =
                new InjectedFailures(
                        Paths.get(args[0]), Long.parseLong(args[1]), Long.parseLong(args[2]));
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(Arrays.copyOfRange(args, 3, args.length));
        JobConfig config = run.jobConfig();

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        NormalizeJob.flinkConfiguration(config));
        if (config.parallelism != null) {
            env.setParallelism(config.parallelism);
        }
        DataStream<RawRecord> raw =
                Connectors.source(env, config)
                        .map(failures)
                        .returns(TypeInformation.of(RawRecord.class))
                        .uid("injected-failures")
                        .name("injected failures");
        NormalizeJob.sinkOutputs(NormalizeJob.defineWorkflow(raw, config), config);
        env.execute(config.jobName);
    }

    /** The arguments that run {@code runOptions} with the given failures. */
    public static List<String> arguments(
            String markerDir,
            long processingFailureSeq,
            long snapshotFailureSeq,
            List<String> runOptions) {
        List<String> args = new ArrayList<>();
        args.add(markerDir);
        args.add(Long.toString(processingFailureSeq));
        args.add(Long.toString(snapshotFailureSeq));
        args.addAll(runOptions);
        return args;
    }
}
