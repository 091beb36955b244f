package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code streamnorm} run the way the launcher runs it: its own JVM, the job jar with Flink next to
 * it, the launcher's log4j configuration. Its stdout and stderr go to {@code <name>.out}, its log
 * (everything Flink and Kafka log) to {@code <name>.log}, so a test sees all that a run wrote.
 */
final class StreamnormProcess {
    private StreamnormProcess() {}

    /** Starts {@code streamnorm args...}; its files are in {@code logDir}. */
    static JvmProcess start(JvmProcesses processes, String name, Path logDir, List<String> args)
            throws Exception {
        List<String> flags = new ArrayList<>(StandaloneFlinkCluster.FLINK_JAVA_17_FLAGS);
        flags.add("-Xmx768m");
        flags.add("-Dstreamnorm.log.file=" + logDir.resolve(name + ".log"));
        return processes.start(
                name,
                BuildOutputs.jobJar() + File.pathSeparator + BuildOutputs.localClasspath(),
                flags,
                "dev.streamnorm.jobs.cli.StreamnormCli",
                args,
                Map.of(),
                logDir,
                BuildOutputs.launcherLog4jConfig());
    }

    /**
     * Runs {@code streamnorm args...} with bad settings: asserts exit code 2 within {@code limit}
     * and one line of output that says {@code what}.
     */
    static void assertFailsWithOneLine(
            JvmProcesses processes,
            String name,
            Path logDir,
            List<String> args,
            String what,
            Duration limit)
            throws Exception {
        long start = System.nanoTime();
        JvmProcess run = start(processes, name, logDir, args);
        int exit = run.awaitExit(limit);
        double seconds = (System.nanoTime() - start) / 1e9;
        String output = run.output();
        System.out.printf(
                Locale.ROOT,
                "streamnorm %s: exit %d after %.1f s: %s",
                name,
                exit,
                seconds,
                output);
        assertThat(exit).as("exit code of %s: %s", name, output).isEqualTo(2);
        assertThat(output.lines()).as("what %s printed", name).hasSize(1);
        assertThat(output).contains(what);
    }
}
