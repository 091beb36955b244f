package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cli.RunWithInjectedFailures;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault tolerance on a real cluster: a standalone Flink cluster (JobManager and two TaskManagers
 * with 2 slots each, separate JVMs) and a Kafka broker (separate JVM) on loopback run the train job
 * exactly-once over a million records, submitted with {@code flink run}, checkpointing every second
 * at parallelism 2. While it runs, a TaskManager that runs tasks is killed with SIGKILL three times
 * (at about 20%, 45% and 70% of the committed output) and a new one started each time, and the job
 * fails once while processing a record and once while taking a checkpoint.
 *
 * <p>A {@code read_committed} reader then sees every good record of every key exactly once and in
 * order, every bad one exactly once as a dead letter, and the final running stats of every key
 * (written by {@code --stats-out} at the end of the {@code --bounded} run) are bit for bit those of
 * a failure-free run ({@link ReferenceStats}). The recovery time of each kill and the wall time are
 * printed.
 */
class TaskManagerFailoverITCase {
    private static final SequencedFeatures INPUT = new SequencedFeatures(1_000, 1_000, 16);
    private static final RecordShape SHAPE = RecordShape.vector(INPUT.channels);
    private static final int BATCH_SIZE = 32;
    private static final double[] KILL_AT_OUTPUT_FRACTION = {0.20, 0.45, 0.70};
    private static final long PROCESSING_FAILURE_SEQ = 330;
    private static final long SNAPSHOT_FAILURE_SEQ = 580;
    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);
    private static final Duration RUN_LIMIT = Duration.ofMinutes(12);

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(60);

    /** One kill: when it happened and when the job was running again and producing output. */
    private static final class Recovery {
        final String taskManager;
        final double tasksRunningSeconds;
        final double outputSeconds;

        Recovery(String taskManager, long killedAt, long runningAt, long outputAt) {
            this.taskManager = taskManager;
            this.tasksRunningSeconds = (runningAt - killedAt) / 1e9;
            this.outputSeconds = (outputAt - killedAt) / 1e9;
        }
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    void killedTaskManagersAndInjectedFailuresChangeNothingThatReadersSee() throws Exception {
        long testStart = System.nanoTime();
        Path dir = runDirectory();
        Path log4j = dir.resolve("log4j2.properties");
        try (InputStream config = getClass().getResourceAsStream("/cluster/log4j2.properties")) {
            Files.copy(config, log4j);
        }
        Path markers = Files.createDirectories(dir.resolve("markers"));
        Path statsOut = dir.resolve("final-stats.json");

        StandaloneFlinkCluster flink =
                StandaloneFlinkCluster.start(processes, dir.resolve("flink"), log4j, 2, 2);
        KafkaBrokerProcess kafka = KafkaBrokerProcess.start(processes, dir.resolve("kafka"), log4j);
        kafka.createTopics(4, "input", "output");
        kafka.createTopics(2, "dead-letters");
        flink.awaitTaskManagers();
        long clusterUp = System.nanoTime();
        INPUT.produce(kafka.bootstrapServers(), "input");
        long inputProduced = System.nanoTime();

        List<String> submit =
                new ArrayList<>(
                        List.of(
                                "-C",
                                BuildOutputs.testClasses().toUri().toString(),
                                "-c",
                                RunWithInjectedFailures.class.getName(),
                                BuildOutputs.jobJar().toString()));
        submit.addAll(
                RunWithInjectedFailures.arguments(
                        markers.toString(),
                        PROCESSING_FAILURE_SEQ,
                        SNAPSHOT_FAILURE_SEQ,
                        runOptions(kafka.bootstrapServers(), dir, statsOut)));
        String jobId = flink.submitDetached(submit);
        long submitted = System.nanoTime();

        SequenceCheck check = new SequenceCheck(INPUT);
        long goodTotal = INPUT.total() - INPUT.badTotal();
        List<Recovery> recoveries = new ArrayList<>();
        long finished;
        try (CommittedOutput output =
                        new CommittedOutput(
                                kafka.bootstrapServers(), "output", "dead-letters", check);
                Admin admin = kafka.admin()) {
            for (double fraction : KILL_AT_OUTPUT_FRACTION) {
                awaitOutputs(flink, jobId, output, (long) (fraction * goodTotal));
                String victim = busiestTaskManager(flink);
                long killedAt = flink.killTaskManager(victim);
                flink.startTaskManager();
                recoveries.add(awaitRecovery(flink, jobId, output, victim, killedAt));
            }
            awaitFinished(flink, jobId, output);
            finished = System.nanoTime();
            output.readToEnd(admin, Duration.ofMinutes(2));
        }
        List<String> failures = flink.rest().failures(jobId);

        System.out.println(recoverySummary(recoveries));
        System.out.printf(
                Locale.ROOT,
                "failover: wall time %.0f s (broker and cluster start %.0f s, producing %d records"
                        + " %.0f s, job %.0f s, reading and checks %.0f s); %d failures restarted"
                        + " the job%n",
                seconds(System.nanoTime() - testStart),
                seconds(clusterUp - testStart),
                INPUT.total(),
                seconds(inputProduced - clusterUp),
                seconds(finished - submitted),
                seconds(System.nanoTime() - finished),
                failures.size());

        assertThat(markers.resolve(InjectedFailures.PROCESSING_MARKER))
                .as("the failure while processing was injected")
                .exists();
        assertThat(markers.resolve(InjectedFailures.SNAPSHOT_MARKER))
                .as("the failure while taking a checkpoint was injected")
                .exists();
        assertThat(String.join("\n", failures))
                .as("the job's exception history")
                .contains(InjectedFailures.PROCESSING_MESSAGE)
                .contains(InjectedFailures.SNAPSHOT_MESSAGE);
        assertThat(failures)
                .as("failures that restarted the job: 3 kills and 2 injected")
                .hasSizeGreaterThanOrEqualTo(5);

        assertThat(check.problems()).as("lost, duplicated or reordered records").isEmpty();
        assertThat(check.outputs()).as("committed outputs").isEqualTo(goodTotal);
        assertThat(check.deadLetters()).as("committed dead letters").isEqualTo(INPUT.badTotal());
        assertThat(check.outputs() + check.deadLetters())
                .as("records in = records out + dead letters")
                .isEqualTo(INPUT.total());

        assertStatsMatchFailureFreeRun(statsOut);
        deleteBulkData(dir);
    }

    /** The {@code streamnorm run} options of the job: train, exactly-once, a bounded Kafka run. */
    private static List<String> runOptions(String bootstrap, Path dir, Path statsOut) {
        String topics = "kafka://" + bootstrap + "/";
        return List.of(
                "--input",
                topics + "input",
                "--output",
                topics + "output",
                "--dead-letter",
                topics + "dead-letters",
                "--mode",
                "train",
                "--shape",
                Integer.toString(INPUT.channels),
                "--batch-size",
                Integer.toString(BATCH_SIZE),
                "--batch-timeout",
                "0s",
                "--parallelism",
                "2",
                "--checkpoint-interval",
                "1s",
                "--delivery",
                "exactly-once",
                "--checkpoint-dir",
                dir.resolve("checkpoints").toUri().toString(),
                "--bounded",
                "--stats-out",
                statsOut.toString(),
                "--job-name",
                "failover");
    }

    /** One line: the recovery time after each kill. */
    private static String recoverySummary(List<Recovery> recoveries) {
        StringBuilder kills =
                new StringBuilder("failover: recovery after SIGKILL of a TaskManager");
        for (int i = 0; i < recoveries.size(); i++) {
            Recovery r = recoveries.get(i);
            kills.append(
                    String.format(
                            Locale.ROOT,
                            "%s kill %d (%s at %.0f%% of output): %.1f s (all tasks running %.1f"
                                    + " s)",
                            i == 0 ? ":" : ";",
                            i + 1,
                            r.taskManager,
                            KILL_AT_OUTPUT_FRACTION[i] * 100,
                            r.outputSeconds,
                            r.tasksRunningSeconds));
        }
        return kills.toString();
    }

    private static void assertStatsMatchFailureFreeRun(Path statsOut) {
        Normalization normalization =
                Normalization.builder()
                        .setShape(SHAPE)
                        .setBatchSize(BATCH_SIZE)
                        .setBatchTimeout(Duration.ZERO)
                        .build();
        Map<String, RunningStats> expected = ReferenceStats.compute(INPUT, normalization, SHAPE);
        assertThat(statsOut).as("the stats file written at the end of the run").exists();
        StatsFile actual = StatsFile.read(statsOut);
        assertThat(actual.stats.keys())
                .as("keys in the stats file")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        List<String> different = new ArrayList<>();
        expected.forEach(
                (key, stats) -> {
                    RunningStats got = actual.stats.lookup(key).orElseThrow();
                    if (!got.equals(stats)) {
                        different.add(key + ": " + got + ", failure-free " + stats);
                    }
                });
        assertThat(different)
                .as("keys whose final stats differ (bitwise) from a failure-free run")
                .isEmpty();
    }

    /** Reads output until {@code count} records are committed; fails if the job ends first. */
    private static void awaitOutputs(
            StandaloneFlinkCluster flink, String jobId, CommittedOutput output, long count)
            throws Exception {
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        long lastStateCheck = 0;
        while (output.outputs() < count) {
            output.poll(Duration.ofMillis(200));
            if (System.nanoTime() - lastStateCheck > 1_000_000_000L) {
                lastStateCheck = System.nanoTime();
                String state = flink.rest().jobState(jobId);
                assertThat(state)
                        .as(
                                "state of the job while waiting for %d committed outputs (have %d)",
                                count, output.outputs())
                        .isIn("CREATED", "INITIALIZING", "RUNNING", "RESTARTING");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after "
                                + RUN_LIMIT.toSeconds()
                                + " s waiting for "
                                + count
                                + " committed outputs (have "
                                + output.outputs()
                                + ")");
            }
        }
    }

    /** The TaskManager with the most slots in use (the first such when several have as many). */
    private static String busiestTaskManager(StandaloneFlinkCluster flink) throws Exception {
        Map<String, Integer> used = flink.rest().usedSlotsByTaskManager();
        String busiest = null;
        for (String id : flink.taskManagers().keySet()) {
            int slots = used.getOrDefault(id, 0);
            if (slots > 0 && (busiest == null || slots > used.get(busiest))) {
                busiest = id;
            }
        }
        assertThat(busiest)
                .as("a running TaskManager with tasks (slots in use: %s)", used)
                .isNotNull();
        return busiest;
    }

    /**
     * Waits until the JobManager has noticed the loss (some task not RUNNING), then every task is
     * RUNNING again, then more output is committed: the job has recovered.
     */
    private static Recovery awaitRecovery(
            StandaloneFlinkCluster flink,
            String jobId,
            CommittedOutput output,
            String victim,
            long killedAt)
            throws Exception {
        long deadline = killedAt + RECOVERY_LIMIT.toNanos();
        boolean lossNoticed = false;
        long runningAt = -1;
        long outputsWhenRunning = -1;
        String state = "?";
        while (System.nanoTime() < deadline) {
            output.poll(Duration.ofMillis(100));
            boolean running;
            try {
                state = flink.rest().jobState(jobId);
                running = flink.rest().allTasksRunning(jobId);
            } catch (IOException e) {
                continue; // no answer this time: nothing learned
            }
            assertThat(state)
                    .as("state of the job after killing %s", victim)
                    .isNotIn("FAILED", "CANCELED", "FINISHED");
            if (!running) {
                lossNoticed = true;
                runningAt = -1;
            } else if (lossNoticed && runningAt < 0) {
                runningAt = System.nanoTime();
                outputsWhenRunning = output.outputs();
            } else if (runningAt >= 0 && output.outputs() > outputsWhenRunning) {
                return new Recovery(victim, killedAt, runningAt, System.nanoTime());
            }
        }
        throw new AssertionError(
                "the job did not recover within "
                        + RECOVERY_LIMIT.toSeconds()
                        + " s of killing "
                        + victim
                        + " (loss noticed: "
                        + lossNoticed
                        + ", all tasks running: "
                        + (runningAt >= 0)
                        + ", job state "
                        + state
                        + ")");
    }

    /** Reads output until the job is FINISHED; fails if it fails or takes too long. */
    private static void awaitFinished(
            StandaloneFlinkCluster flink, String jobId, CommittedOutput output) throws Exception {
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        String state = flink.rest().jobState(jobId);
        while (!state.equals("FINISHED")) {
            assertThat(state)
                    .as("state of the job before the end of its input")
                    .isNotIn("FAILED", "CANCELED");
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the job did not finish within "
                                + RUN_LIMIT.toSeconds()
                                + " s (state "
                                + state
                                + ", "
                                + output.outputs()
                                + " outputs committed)");
            }
            output.poll(Duration.ofMillis(500));
            state = flink.rest().jobState(jobId);
        }
    }

    /** A new directory under target/ for this run's configuration, data and logs. */
    private static Path runDirectory() throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Files.createDirectories(
                BuildOutputs.target().resolve("cluster-it").resolve("failover-" + stamp));
    }

    /** After a passing run: drops Kafka's data and the checkpoints, keeps logs and config. */
    private static void deleteBulkData(Path dir) throws IOException {
        for (Path bulk :
                List.of(dir.resolve("kafka").resolve("data"), dir.resolve("checkpoints"))) {
            if (Files.exists(bulk)) {
                try (Stream<Path> paths = Files.walk(bulk)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
