package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cli.RunWithInjectedFailures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * <p>The five disruptions come one at a time, never two at once: the input is {@link GatedInput},
 * held back at the seq of the processing failure, at that of the checkpoint failure and after the
 * last kill. Each stage is released once the disruption before it is over (all tasks running again
 * and the output of all released input committed), and each injected failure must be in the job's
 * exception history before the next kill. A failure that came while the job was already restarting
 * after a kill would be absorbed by that restart and never reach the history.
 *
 * <p>A {@code read_committed} reader then sees every good record of every key exactly once and in
 * order, every bad one exactly once as a dead letter, and the final running stats of every key
 * (written by {@code --stats-out} at the end of the {@code --bounded} run) are bit for bit those of
 * a failure-free run ({@link ReferenceStats}). The recovery time of each kill and the wall time are
 * printed.
 */
class TaskManagerFailoverITCase {
    private static final SequencedFeatures INPUT = new SequencedFeatures(1_000, 1_000, 16);
    private static final TrainRun TRAIN = new TrainRun(INPUT, 32);
    private static final double[] KILL_AT_OUTPUT_FRACTION = {0.20, 0.45, 0.70};

    /**
     * Held back from here until kill 1 is over; the job fails while processing its first record.
     */
    private static final int PROCESSING_FAILURE_SEQ = 330;

    /**
     * Held back from here until kill 2 is over; the first checkpoint after it has started fails.
     */
    private static final int SNAPSHOT_FAILURE_SEQ = 580;

    /** Held back from here until kill 3 is over. */
    private static final int LAST_STAGE_SEQ = 850;

    /** For each kill, the seq from which the input is held back until it is over. */
    private static final int[] HELD_AFTER_KILL = {
        PROCESSING_FAILURE_SEQ, SNAPSHOT_FAILURE_SEQ, LAST_STAGE_SEQ
    };

    /** The injected failure that the stage released after each of the first kills brings. */
    private static final String[] FAILURE_AFTER_KILL = {
        InjectedFailures.PROCESSING_MESSAGE, InjectedFailures.SNAPSHOT_MESSAGE
    };

    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);
    private static final Duration RUN_LIMIT = Duration.ofMinutes(12);

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(60);

    /**
     * One kill: at what share of the output, and when the job was running again and had committed
     * all the input released so far.
     */
    private static final class Recovery {
        final String taskManager;
        final double committedShare;
        final double tasksRunningSeconds;
        final double caughtUpSeconds;

        Recovery(
                String taskManager,
                double committedShare,
                long killedAt,
                long runningAt,
                long caughtUpAt) {
            this.taskManager = taskManager;
            this.committedShare = committedShare;
            this.tasksRunningSeconds = (runningAt - killedAt) / 1e9;
            this.caughtUpSeconds = (caughtUpAt - killedAt) / 1e9;
        }
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    void killedTaskManagersAndInjectedFailuresChangeNothingThatReadersSee() throws Exception {
        long testStart = System.nanoTime();
        Path dir = BuildOutputs.runDirectory("failover");
        Path log4j = dir.resolve("log4j2.properties");
        Path markers = Files.createDirectories(dir.resolve("markers"));
        Path statsOut = dir.resolve("final-stats.json");

        StandaloneFlinkCluster flink =
                StandaloneFlinkCluster.start(processes, dir.resolve("flink"), log4j, 2, 2);
        KafkaBrokerProcess kafka = KafkaBrokerProcess.start(processes, dir.resolve("kafka"), log4j);
        kafka.createTopics(4, "input", "output");
        kafka.createTopics(2, "dead-letters");
        flink.awaitTaskManagers();
        long clusterUp = System.nanoTime();
        GatedInput input =
                new GatedInput(INPUT, kafka.bootstrapServers(), "input", HELD_AFTER_KILL);
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
        try (input;
                CommittedOutput output =
                        new CommittedOutput(
                                kafka.bootstrapServers(), "output", "dead-letters", check);
                Admin admin = kafka.admin()) {
            for (int i = 0; i < KILL_AT_OUTPUT_FRACTION.length; i++) {
                long killAt = (long) (KILL_AT_OUTPUT_FRACTION[i] * goodTotal);
                long committedAtKill = awaitCommitted(flink, jobId, output, admin, killAt);
                String victim = busiestTaskManager(flink);
                int failuresBefore = flink.rest().failures(jobId).size();
                long killedAt = flink.killTaskManager(victim);
                flink.startTaskManager();
                long runningAt =
                        awaitAllTasksRunningAgain(
                                flink, jobId, output, victim, killedAt, failuresBefore);
                long caughtUpAt =
                        awaitRecordsRead(
                                flink, jobId, output, TRAIN.recordsOutBelow(HELD_AFTER_KILL[i]));
                recoveries.add(
                        new Recovery(
                                victim,
                                (double) committedAtKill / goodTotal,
                                killedAt,
                                runningAt,
                                caughtUpAt));
                input.releaseNext();
                if (i < FAILURE_AFTER_KILL.length) {
                    awaitInHistory(flink, jobId, output, FAILURE_AFTER_KILL[i]);
                }
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

        TRAIN.assertFinalStats(statsOut);
        deleteBulkData(dir);
    }

    /** The {@code streamnorm run} options of the job: train, exactly-once, a bounded Kafka run. */
    private static List<String> runOptions(String bootstrap, Path dir, Path statsOut) {
        List<String> options = TRAIN.options(bootstrap, dir.resolve("checkpoints"), statsOut);
        options.addAll(List.of("--parallelism", "2", "--job-name", "failover"));
        return options;
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
                            "%s kill %d (%s at %.0f%% of output): all tasks running %.1f s, output of"
                                    + " all released input committed %.1f s",
                            i == 0 ? ":" : ";",
                            i + 1,
                            r.taskManager,
                            r.committedShare * 100,
                            r.tasksRunningSeconds,
                            r.caughtUpSeconds));
        }
        return kills.toString();
    }

    /** What a test waits for; may ask the cluster, which may not answer. */
    private interface Condition {
        boolean met() throws Exception;
    }

    /**
     * Reads output until {@code condition} is met, and returns when; fails if the job stops running
     * or {@code limit} passes first. A JobManager that does not answer a request (busy restarting
     * the job) is asked again.
     */
    private static long await(
            StandaloneFlinkCluster flink,
            String jobId,
            CommittedOutput output,
            Duration limit,
            String what,
            Condition condition)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        long lastStateCheck = 0;
        while (true) {
            try {
                if (condition.met()) {
                    return System.nanoTime();
                }
                if (System.nanoTime() - lastStateCheck > 1_000_000_000L) {
                    lastStateCheck = System.nanoTime();
                    assertThat(flink.rest().jobState(jobId))
                            .as("state of the job while waiting for %s", what)
                            .isIn("CREATED", "INITIALIZING", "RUNNING", "RESTARTING");
                }
            } catch (IOException e) {
                // no answer this time: nothing learned
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after "
                                + limit.toSeconds()
                                + " s waiting for "
                                + what
                                + " ("
                                + output.outputs()
                                + " outputs read)");
            }
            output.poll(Duration.ofMillis(100));
        }
    }

    /** Waits until the output topic's committed offsets sum to {@code count}; returns the sum. */
    private static long awaitCommitted(
            StandaloneFlinkCluster flink,
            String jobId,
            CommittedOutput output,
            Admin admin,
            long count)
            throws Exception {
        await(
                flink,
                jobId,
                output,
                RUN_LIMIT,
                count + " committed outputs",
                () -> output.committedOutputOffsets(admin) >= count);
        return output.committedOutputOffsets(admin);
    }

    /**
     * Waits until the JobManager has restarted the job after the loss: its exception history has
     * grown past {@code failuresBefore} entries (taken before the kill), and every task is RUNNING
     * again; returns when. Both come from the same view of the job, which the REST API may serve a
     * few seconds late, so the tasks cannot be the ones from before the loss.
     */
    private static long awaitAllTasksRunningAgain(
            StandaloneFlinkCluster flink,
            String jobId,
            CommittedOutput output,
            String victim,
            long killedAt,
            int failuresBefore)
            throws Exception {
        return await(
                flink,
                jobId,
                output,
                RECOVERY_LIMIT.minusNanos(System.nanoTime() - killedAt),
                "all tasks running again after killing " + victim,
                () ->
                        flink.rest().failures(jobId).size() > failuresBefore
                                && flink.rest().allTasksRunning(jobId));
    }

    /** Waits until the reader has read {@code count} records, outputs and dead letters. */
    private static long awaitRecordsRead(
            StandaloneFlinkCluster flink, String jobId, CommittedOutput output, long count)
            throws Exception {
        return await(
                flink,
                jobId,
                output,
                RECOVERY_LIMIT,
                count + " records committed (outputs and dead letters)",
                () -> output.records() >= count);
    }

    /** Waits until an entry of the job's exception history contains {@code message}. */
    private static void awaitInHistory(
            StandaloneFlinkCluster flink, String jobId, CommittedOutput output, String message)
            throws Exception {
        await(
                flink,
                jobId,
                output,
                RECOVERY_LIMIT,
                "\"" + message + "\" in the job's exception history",
                () -> String.join("\n", flink.rest().failures(jobId)).contains(message));
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
