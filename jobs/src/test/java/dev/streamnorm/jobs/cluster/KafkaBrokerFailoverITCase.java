package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Brokers that fail or move: {@code streamnorm run} (its own JVM, as the launcher runs it) trains
 * exactly-once from Kafka to Kafka while
 *
 * <ul>
 *   <li>the only broker (its own JVM) is killed with SIGKILL and restarted on the same storage and
 *       ports, twice (at about 25% and 60% of the committed output), or
 *   <li>on a 3-broker KRaft cluster (each broker its own JVM), the leader of every output partition
 *       moves to another broker (a reassignment that puts another replica first, then a preferred
 *       leader election).
 * </ul>
 *
 * The job recovers by itself and finishes; a {@code read_committed} reader sees every record once
 * and in order (outputs and dead letters), and the final stats of every key equal a failure-free
 * run's bit for bit. The outage and the time to the next commit are printed.
 *
 * <p>The input is {@link GatedInput}: the part after each disruption point is held back in an open
 * transaction until the disruption is over, so the run still has input to read at every disruption.
 * Unheld, it can read all of its input in a few seconds, commit a third of it in one checkpoint,
 * and end before the test disrupts anything.
 */
class KafkaBrokerFailoverITCase {
    private static final SequencedFeatures INPUT = new SequencedFeatures(500, 200, 8);
    private static final long GOOD_TOTAL = INPUT.total() - INPUT.badTotal();
    private static final TrainRun TRAIN = new TrainRun(INPUT, 16);
    private static final double[] KILL_AT_OUTPUT_FRACTION = {0.25, 0.60};

    /** Where the input is held back until the kill before it is over. */
    private static final double[] KILL_STAGE_STARTS = {0.40, 0.75};

    private static final double MOVE_AT_OUTPUT_FRACTION = 0.40;
    private static final double MOVE_STAGE_START = 0.55;
    private static final int OUTPUT_PARTITIONS = 4;
    private static final Duration OUTAGE = Duration.ofSeconds(3);
    private static final Duration RUN_LIMIT = Duration.ofMinutes(4);

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(80);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void killedAndRestartedBrokerChangesNothingThatReadersSee() throws Exception {
        long testStart = System.nanoTime();
        Path dir = BuildOutputs.runDirectory("broker-failover");
        KafkaBrokerProcess kafka =
                KafkaBrokerProcess.start(
                        processes, dir.resolve("kafka"), dir.resolve("log4j2.properties"));
        kafka.createTopics(OUTPUT_PARTITIONS, "input", "output");
        kafka.createTopics(2, "dead-letters");
        Run run = startRun(dir, kafka, KILL_STAGE_STARTS);
        List<String> recoveries = new ArrayList<>();
        for (double fraction : KILL_AT_OUTPUT_FRACTION) {
            long committedAtKill;
            try (Admin admin = kafka.admin()) {
                committedAtKill = run.awaitCommitted(admin, (long) (fraction * GOOD_TOTAL));
            }
            long killedAt = System.nanoTime();
            kafka.kill();
            Thread.sleep(OUTAGE.toMillis());
            kafka.restart();
            long backAt = System.nanoTime();
            run.input.releaseNext();
            long committedAt;
            try (Admin admin = kafka.admin()) {
                committedAt = run.awaitCommitBeyond(admin, committedAtKill);
            }
            recoveries.add(
                    String.format(
                            Locale.ROOT,
                            "kill at %.0f%% of the output: broker down %.1f s (SIGKILL, %d s"
                                    + " pause, restart until it serves requests), first new commit"
                                    + " %.1f s after it was back",
                            100.0 * committedAtKill / GOOD_TOTAL,
                            (backAt - killedAt) / 1e9,
                            OUTAGE.toSeconds(),
                            (committedAt - backAt) / 1e9));
        }
        run.finish(kafka);
        System.out.println("broker failover: " + String.join("; ", recoveries));
        run.printTimes("broker failover", testStart);
        run.assertEveryRecordOnceAndStatsOfAFailureFreeRun();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void movedOutputLeadersChangeNothingThatReadersSee() throws Exception {
        long testStart = System.nanoTime();
        Path dir = BuildOutputs.runDirectory("leader-move");
        List<KafkaBrokerProcess> cluster =
                KafkaBrokerProcess.startCluster(
                        processes, dir.resolve("kafka"), dir.resolve("log4j2.properties"), 3);
        KafkaBrokerProcess kafka = cluster.get(0);
        kafka.createTopics(OUTPUT_PARTITIONS, 3, "input", "output");
        kafka.createTopics(2, 3, "dead-letters");
        Run run = startRun(dir, kafka, MOVE_STAGE_START);
        long committedAtMove;
        Map<Integer, Integer> before;
        Map<Integer, Integer> after;
        long movedAt = System.nanoTime();
        long committedAt;
        try (Admin admin = kafka.admin()) {
            committedAtMove =
                    run.awaitCommitted(admin, (long) (MOVE_AT_OUTPUT_FRACTION * GOOD_TOTAL));
            before = outputLeaders(admin);
            after = moveOutputLeaders(admin, before);
            movedAt = System.nanoTime();
            run.input.releaseNext();
            committedAt = run.awaitCommitBeyond(admin, committedAtMove);
        }
        run.finish(kafka);
        System.out.printf(
                Locale.ROOT,
                "leader move at %.0f%% of the output: output partition leaders %s -> %s, first new"
                        + " commit %.1f s after the move%n",
                100.0 * committedAtMove / GOOD_TOTAL,
                before,
                after,
                (committedAt - movedAt) / 1e9);
        run.printTimes("leader move", testStart);

        for (int p = 0; p < OUTPUT_PARTITIONS; p++) {
            assertThat(after.get(p))
                    .as("leader of output-%d after the move", p)
                    .isNotEqualTo(before.get(p));
        }
        run.assertEveryRecordOnceAndStatsOfAFailureFreeRun();
    }

    /** Leader broker id of each output partition. */
    private static Map<Integer, Integer> outputLeaders(Admin admin) throws Exception {
        Map<Integer, Integer> leaders = new HashMap<>();
        for (TopicPartitionInfo info : outputPartitions(admin)) {
            leaders.put(info.partition(), info.leader() == null ? -1 : info.leader().id());
        }
        return leaders;
    }

    private static List<TopicPartitionInfo> outputPartitions(Admin admin) throws Exception {
        return admin.describeTopics(Set.of("output"))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get("output")
                .partitions();
    }

    /**
     * Puts another replica first in every output partition's replica list and elects the preferred
     * leaders; returns the new leaders once every partition has one that differs from before.
     */
    private static Map<Integer, Integer> moveOutputLeaders(
            Admin admin, Map<Integer, Integer> before) throws Exception {
        Map<TopicPartition, Optional<NewPartitionReassignment>> reassignments = new HashMap<>();
        for (TopicPartitionInfo info : outputPartitions(admin)) {
            List<Integer> replicas = new ArrayList<>();
            info.replicas().forEach(node -> replicas.add(node.id()));
            int leaderAt = replicas.indexOf(before.get(info.partition()));
            List<Integer> reordered = new ArrayList<>();
            for (int i = 1; i <= replicas.size(); i++) {
                reordered.add(replicas.get((leaderAt + i) % replicas.size()));
            }
            reassignments.put(
                    new TopicPartition("output", info.partition()),
                    Optional.of(new NewPartitionReassignment(reordered)));
        }
        admin.alterPartitionReassignments(reassignments).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!admin.listPartitionReassignments()
                .reassignments()
                .get(30, TimeUnit.SECONDS)
                .isEmpty()) {
            assertThat(System.nanoTime()).as("reassignments complete").isLessThan(deadline);
            Thread.sleep(100);
        }
        admin.electLeaders(ElectionType.PREFERRED, reassignments.keySet())
                .all()
                .get(30, TimeUnit.SECONDS);
        while (true) {
            Map<Integer, Integer> after = outputLeaders(admin);
            boolean moved = true;
            for (int p = 0; p < OUTPUT_PARTITIONS; p++) {
                moved &= after.get(p) != -1 && !after.get(p).equals(before.get(p));
            }
            if (moved) {
                return after;
            }
            assertThat(System.nanoTime()).as("new leaders elected").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Produces the input, held back from each of {@code stageStarts}, and starts the run. */
    private Run startRun(Path dir, KafkaBrokerProcess kafka, double... stageStarts)
            throws Exception {
        int[] stageSeqs = new int[stageStarts.length];
        for (int i = 0; i < stageStarts.length; i++) {
            stageSeqs[i] = (int) (stageStarts[i] * INPUT.perKey);
        }
        GatedInput input = new GatedInput(INPUT, kafka.bootstrapServers(), "input", stageSeqs);
        Path statsOut = dir.resolve("final-stats.json");
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(TRAIN.options(kafka.bootstrapServers(), dir.resolve("checkpoints"), statsOut));
        args.addAll(List.of("--parallelism", "2", "--transaction-timeout", "2min"));
        // The source fetches little ahead (64 KiB per partition), so that what it has read but
        // not yet committed at a disruption is a small part of its input.
        args.addAll(List.of("--kafka-property", "max.partition.fetch.bytes=65536"));
        return new Run(
                input,
                StreamnormProcess.start(processes, "streamnorm-run", dir, args),
                new CommittedOutput(
                        kafka.bootstrapServers(),
                        "output",
                        "dead-letters",
                        new SequenceCheck(INPUT)),
                statsOut);
    }

    /** The run of a test, its input, and the reader of its committed output. */
    private static final class Run {
        final GatedInput input;
        final JvmProcess process;
        final CommittedOutput output;
        final SequenceCheck check;
        final Path statsOut;
        final long started = System.nanoTime();
        long finished;

        Run(GatedInput input, JvmProcess process, CommittedOutput output, Path statsOut) {
            this.input = input;
            this.process = process;
            this.output = output;
            this.check = output.check();
            this.statsOut = statsOut;
        }

        /**
         * Reads the output while the output topic's committed offsets sum to less than {@code
         * count}; returns their sum.
         */
        long awaitCommitted(Admin admin, long count) throws Exception {
            long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
            long committed;
            while ((committed = output.committedOutputOffsets(admin)) < count) {
                assertThat(process.isAlive())
                        .as("the run before %d committed outputs (have %d)", count, committed)
                        .isTrue();
                assertThat(System.nanoTime())
                        .as("time to reach %d committed outputs", count)
                        .isLessThan(deadline);
                output.poll(Duration.ofMillis(100));
            }
            return committed;
        }

        /**
         * Waits until the output topic's committed offsets sum to more than {@code committed},
         * taken before the disruption; returns when.
         */
        long awaitCommitBeyond(Admin admin, long committed) throws Exception {
            long start = System.nanoTime();
            while (output.committedOutputOffsets(admin) <= committed) {
                if (!process.isAlive()) {
                    // A bounded run can commit its last transaction and end between two reads.
                    assertThat(output.committedOutputOffsets(admin))
                            .as("committed output when the run ended")
                            .isGreaterThan(committed);
                    break;
                }
                assertThat(System.nanoTime() - start)
                        .as("time to a new commit")
                        .isLessThan(RUN_LIMIT.toNanos());
                output.poll(Duration.ofMillis(100));
            }
            return System.nanoTime();
        }

        /** Waits for the run to end (exit code 0), then reads all of its output. */
        void finish(KafkaBrokerProcess kafka) throws Exception {
            try (input;
                    output) {
                assertThat(process.awaitExit(RUN_LIMIT)).as("exit code of the run").isZero();
                finished = System.nanoTime();
                try (Admin admin = kafka.admin()) {
                    output.readToEnd(admin, Duration.ofMinutes(1));
                }
            }
        }

        void printTimes(String scenario, long testStart) {
            System.out.printf(
                    Locale.ROOT,
                    "%s: %d records, run %.0f s, test %.0f s%n",
                    scenario,
                    INPUT.total(),
                    (finished - started) / 1e9,
                    (System.nanoTime() - testStart) / 1e9);
        }

        void assertEveryRecordOnceAndStatsOfAFailureFreeRun() {
            assertThat(check.problems()).as("lost, duplicated or reordered records").isEmpty();
            assertThat(check.outputs()).as("committed outputs").isEqualTo(GOOD_TOTAL);
            assertThat(check.deadLetters())
                    .as("committed dead letters")
                    .isEqualTo(INPUT.badTotal());
            TRAIN.assertFinalStats(statsOut);
        }
    }
}
