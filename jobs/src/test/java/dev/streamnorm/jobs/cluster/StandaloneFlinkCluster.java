package dev.streamnorm.jobs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A standalone Flink session cluster on loopback, each process its own JVM as {@code
 * start-cluster.sh} would start it from a distribution: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}) with the memory
 * flags Flink computes from the configuration (what {@code BashJavaUtils} prints for the scripts).
 * Jobs are submitted with Flink's own command line ({@code CliFrontend run}).
 *
 * <p>Failures are detected fast (heartbeats every second, 5 s timeout), a TaskManager that starts
 * before the JobManager retries after 1 s, and restarts are unlimited in practice (100 attempts, 1
 * s apart), so a test can kill TaskManagers and watch the job recover.
 */
final class StandaloneFlinkCluster {
    private static final Duration STARTUP = Duration.ofSeconds(120);

    /** Java 17 flags of every Flink process, as in Flink's stock configuration. */
    static final List<String> FLINK_JAVA_17_FLAGS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");

    private final JvmProcesses processes;
    private final Path confDir;
    private final Path logDir;
    private final Path log4jConfig;
    private final String classpath;
    private final Configuration configuration;
    private final FlinkRest rest;
    private final Map<String, JvmProcess> taskManagers = new LinkedHashMap<>();
    private int taskManagersStarted;

    private StandaloneFlinkCluster(
            JvmProcesses processes,
            Path dir,
            Path log4jConfig,
            Configuration configuration,
            int restPort) {
        this.processes = processes;
        this.confDir = dir.resolve("conf");
        this.logDir = dir.resolve("logs");
        this.log4jConfig = log4jConfig;
        this.classpath = BuildOutputs.flinkClasspath();
        this.configuration = configuration;
        this.rest = new FlinkRest(restPort);
    }

    /**
     * Writes {@code conf/config.yaml} under {@code dir} and starts the JobManager and {@code
     * taskManagers} TaskManagers with {@code slots} slots each, without waiting for them.
     */
    static StandaloneFlinkCluster start(
            JvmProcesses processes, Path dir, Path log4jConfig, int taskManagers, int slots)
            throws IOException {
        int restPort = FreePort.pick();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("jobmanager.rpc.address", "127.0.0.1");
        settings.put("jobmanager.rpc.port", Integer.toString(FreePort.pick()));
        settings.put("jobmanager.bind-host", "127.0.0.1");
        settings.put("rest.address", "127.0.0.1");
        settings.put("rest.bind-address", "127.0.0.1");
        settings.put("rest.port", Integer.toString(restPort));
        settings.put("taskmanager.host", "127.0.0.1");
        settings.put("taskmanager.bind-host", "127.0.0.1");
        settings.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        settings.put("jobmanager.memory.process.size", "800m");
        settings.put("taskmanager.memory.process.size", "1024m");
        settings.put("taskmanager.memory.managed.size", "64m");
        settings.put("heartbeat.interval", "1s");
        settings.put("heartbeat.timeout", "5s");
        settings.put("cluster.registration.error-delay", "1s");
        settings.put("restart-strategy.type", "fixed-delay");
        settings.put("restart-strategy.fixed-delay.attempts", "100");
        settings.put("restart-strategy.fixed-delay.delay", "1s");
        settings.put(
                "execution.checkpointing.dir",
                Files.createDirectories(dir.resolve("checkpoints")).toUri().toString());
        Files.createDirectories(dir.resolve("conf"));
        StringBuilder yaml = new StringBuilder();
        settings.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(dir.resolve("conf").resolve("config.yaml"), yaml);

        StandaloneFlinkCluster cluster =
                new StandaloneFlinkCluster(
                        processes, dir, log4jConfig, Configuration.fromMap(settings), restPort);
        cluster.startJobManager();
        for (int i = 0; i < taskManagers; i++) {
            cluster.startTaskManager();
        }
        return cluster;
    }

    private void startJobManager() throws IOException {
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(configuration);
        List<String> flags = new ArrayList<>(FLINK_JAVA_17_FLAGS);
        flags.addAll(split(JobManagerProcessUtils.generateJvmParametersStr(spec, configuration)));
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(List.of("--executionMode", "cluster"));
        args.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        processes.start(
                "jobmanager",
                classpath,
                flags,
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                args,
                Map.of(),
                logDir,
                log4jConfig);
    }

    /** Starts one more TaskManager, named (and with resource id) {@code taskmanager-N}. */
    String startTaskManager() throws IOException {
        String id = "taskmanager-" + ++taskManagersStarted;
        TaskExecutorProcessSpec spec =
                TaskExecutorProcessUtils.processSpecFromConfig(configuration);
        List<String> flags = new ArrayList<>(FLINK_JAVA_17_FLAGS);
        flags.addAll(split(ProcessMemoryUtils.generateJvmParametersStr(spec)));
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        args.addAll(List.of("-D", "taskmanager.resource-id=" + id));
        taskManagers.put(
                id,
                processes.start(
                        id,
                        classpath,
                        flags,
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        args,
                        Map.of(),
                        logDir,
                        log4jConfig));
        return id;
    }

    /** Kills TaskManager {@code id} with SIGKILL; returns the instant it was gone. */
    long killTaskManager(String id) {
        JvmProcess process = taskManagers.remove(id);
        if (process == null) {
            throw new IllegalArgumentException("no running TaskManager " + id);
        }
        process.kill();
        return System.nanoTime();
    }

    /** Waits until the REST API answers and exactly the running TaskManagers are registered. */
    void awaitTaskManagers() throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        String seen = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                Map<String, Integer> registered = rest.usedSlotsByTaskManager();
                if (registered.keySet().equals(taskManagers.keySet())) {
                    return;
                }
                seen = "registered " + registered.keySet();
            } catch (IOException e) {
                seen = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "the Flink cluster did not register TaskManagers "
                        + taskManagers.keySet()
                        + " within "
                        + STARTUP.toSeconds()
                        + " s ("
                        + seen
                        + ")");
    }

    /**
     * Submits a job detached with {@code CliFrontend run -d ARGS} ({@code FLINK_CONF_DIR} set to
     * this cluster's configuration) and returns its job id.
     */
    String submitDetached(List<String> runArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        args.addAll(runArgs);
        JvmProcess client =
                processes.start(
                        "flink-run",
                        classpath,
                        FLINK_JAVA_17_FLAGS,
                        "org.apache.flink.client.cli.CliFrontend",
                        args,
                        Map.of("FLINK_CONF_DIR", confDir.toString()),
                        logDir,
                        log4jConfig);
        int exit = client.awaitExit(STARTUP);
        String output = client.output();
        Matcher jobId = JOB_ID.matcher(output);
        if (exit != 0 || !jobId.find()) {
            throw new AssertionError(
                    "flink run "
                            + String.join(" ", args)
                            + " exited with "
                            + exit
                            + ":\n"
                            + client.tail(80));
        }
        return jobId.group(1);
    }

    FlinkRest rest() {
        return rest;
    }

    /** The running TaskManagers by id. */
    Map<String, JvmProcess> taskManagers() {
        return new LinkedHashMap<>(taskManagers);
    }

    private static List<String> split(String flags) {
        List<String> parts = new ArrayList<>();
        for (String part : flags.trim().split("\\s+")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }
}
