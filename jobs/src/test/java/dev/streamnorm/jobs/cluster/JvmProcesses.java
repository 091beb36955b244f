package dev.streamnorm.jobs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts JVMs for a test and makes sure none outlives it: registered as a JUnit extension, it
 * prints the tail of every process's logs when the test fails and kills the processes it started
 * (by their own pids) after each test; a shutdown hook kills them too if the test JVM exits first.
 */
public final class JvmProcesses implements AfterTestExecutionCallback, AfterEachCallback {
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> RUNNING.forEach(Process::destroyForcibly), "kill-test-jvms"));
    }

    private final List<JvmProcess> started = new ArrayList<>();
    private final int tailLines;

    /**
     * @param tailLines how many lines of each log to print when a test fails
     */
    public JvmProcesses(int tailLines) {
        this.tailLines = tailLines;
    }

    /**
     * Starts {@code mainClass} in a new JVM of the same Java installation as this one.
     *
     * @param name names the process and its log files in {@code logDir}
     * @param log4jConfig log4j2 configuration of the process; its {@code ${sys:log.file}} is {@code
     *     <logDir>/<name>.log}
     */
    public synchronized JvmProcess start(
            String name,
            String classpath,
            List<String> jvmFlags,
            String mainClass,
            List<String> args,
            Map<String, String> environment,
            Path logDir,
            Path log4jConfig)
            throws IOException {
        Files.createDirectories(logDir);
        Path out = logDir.resolve(name + ".out");
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-Dlog.file=" + log);
        command.add("-Dlog4j.configurationFile=" + log4jConfig.toUri());
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        JvmProcess started = new JvmProcess(name, process, List.of(out, log));
        this.started.add(started);
        return started;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            StringBuilder logs = new StringBuilder("Logs of the test's JVMs:\n");
            for (JvmProcess process : startedSoFar()) {
                logs.append("==== ").append(process).append('\n');
                logs.append(process.tail(tailLines));
            }
            System.err.println(logs);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (JvmProcess process : startedSoFar()) {
            if (process.isAlive()) {
                process.kill();
            }
        }
    }

    private synchronized List<JvmProcess> startedSoFar() {
        return new ArrayList<>(started);
    }
}
