package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A broker that crashes: {@code streamnorm run} (its own JVM, as the launcher runs it) trains
 * exactly-once from Kafka to Kafka while the only broker (its own JVM) is killed with SIGKILL and
 * restarted on the same storage and ports, twice (at about 25% and 60% of the committed output).
 * The job recovers by itself and finishes; a {@code read_committed} reader sees every record once
 * and in order (outputs and dead letters), and the final stats of every key equal a failure-free
 * run's bit for bit. The outage and the recovery time of each kill are printed.
 */
class KafkaBrokerFailoverITCase {
    private static final SequencedFeatures INPUT = new SequencedFeatures(500, 200, 8);
    private static final TrainRun TRAIN = new TrainRun(INPUT, 16);
    private static final double[] KILL_AT_OUTPUT_FRACTION = {0.25, 0.60};
    private static final int OUTPUT_PARTITIONS = 4;
    private static final Duration OUTAGE = Duration.ofSeconds(3);
    private static final Duration RUN_LIMIT = Duration.ofMinutes(4);

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(80);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void killedAndRestartedBrokerChangesNothingThatReadersSee() throws Exception {
        long testStart = System.nanoTime();
        Path dir = BuildOutputs.runDirectory("broker-failover");
        Path log4j = dir.resolve("log4j2.properties");
        KafkaBrokerProcess kafka = KafkaBrokerProcess.start(processes, dir.resolve("kafka"), log4j);
        kafka.createTopics(OUTPUT_PARTITIONS, "input", "output");
        kafka.createTopics(2, "dead-letters");
        INPUT.produce(kafka.bootstrapServers(), "input");
        Path statsOut = dir.resolve("final-stats.json");
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(TRAIN.options(kafka.bootstrapServers(), dir.resolve("checkpoints"), statsOut));
        args.addAll(List.of("--parallelism", "2", "--transaction-timeout", "2min"));
        long submitted = System.nanoTime();
        JvmProcess run = StreamnormProcess.start(processes, "streamnorm-run", dir, args);

        SequenceCheck check = new SequenceCheck(INPUT);
        long goodTotal = INPUT.total() - INPUT.badTotal();
        List<String> recoveries = new ArrayList<>();
        long finished;
        try (CommittedOutput output =
                new CommittedOutput(kafka.bootstrapServers(), "output", "dead-letters", check)) {
            for (double fraction : KILL_AT_OUTPUT_FRACTION) {
                long target = (long) (fraction * goodTotal);
                long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
                while (check.outputs() < target) {
                    assertThat(run.isAlive())
                            .as(
                                    "the run before %d committed outputs (have %d)",
                                    target, check.outputs())
                            .isTrue();
                    assertThat(System.nanoTime())
                            .as("time to reach %d outputs", target)
                            .isLessThan(deadline);
                    output.poll(Duration.ofMillis(100));
                }
                long outputsAtKill = check.outputs();
                long killedAt = System.nanoTime();
                kafka.kill();
                Thread.sleep(OUTAGE.toMillis());
                kafka.restart();
                long backAt = System.nanoTime();
                long committedAtBack;
                try (Admin admin = kafka.admin()) {
                    committedAtBack = committedOutputs(admin);
                    while (committedOutputs(admin) == committedAtBack) {
                        assertThat(run.isAlive()).as("the run after the broker came back").isTrue();
                        assertThat(System.nanoTime() - backAt)
                                .as("time to a new commit after the broker came back")
                                .isLessThan(RUN_LIMIT.toNanos());
                        output.poll(Duration.ofMillis(100));
                    }
                }
                long committedAt = System.nanoTime();
                recoveries.add(
                        String.format(
                                Locale.ROOT,
                                "kill at %.0f%% of the output: broker down %.1f s (SIGKILL, %d s"
                                        + " pause, restart until it serves requests), first new"
                                        + " commit %.1f s after it was back",
                                100.0 * outputsAtKill / goodTotal,
                                (backAt - killedAt) / 1e9,
                                OUTAGE.toSeconds(),
                                (committedAt - backAt) / 1e9));
            }
            assertThat(run.awaitExit(RUN_LIMIT)).as("exit code of the run").isZero();
            finished = System.nanoTime();
            try (Admin admin = kafka.admin()) {
                output.readToEnd(admin, Duration.ofMinutes(1));
            }
        }
        System.out.println("broker failover: " + String.join("; ", recoveries));
        System.out.printf(
                Locale.ROOT,
                "broker failover: %d records, run %.0f s, test %.0f s%n",
                INPUT.total(),
                (finished - submitted) / 1e9,
                (System.nanoTime() - testStart) / 1e9);

        assertThat(check.problems()).as("lost, duplicated or reordered records").isEmpty();
        assertThat(check.outputs()).as("committed outputs").isEqualTo(goodTotal);
        assertThat(check.deadLetters()).as("committed dead letters").isEqualTo(INPUT.badTotal());
        TRAIN.assertFinalStats(statsOut);
    }

    /** The offsets up to which the output topic is committed, summed over its partitions. */
    private static long committedOutputs(Admin admin) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < OUTPUT_PARTITIONS; p++) {
            partitions.add(new TopicPartition("output", p));
        }
        return TestKafka.latestOffsets(admin, partitions, IsolationLevel.READ_COMMITTED)
                .values()
                .stream()
                .mapToLong(Long::longValue)
                .sum();
    }
}
