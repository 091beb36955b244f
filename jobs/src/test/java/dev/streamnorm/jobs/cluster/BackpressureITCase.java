package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cluster.JobObserver.Checkpoint;
import dev.streamnorm.jobs.cluster.JobObserver.Sample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backpressure from a throttled output: {@code streamnorm run} (its own JVM) trains exactly-once
 * from Kafka to Kafka while the broker (its own JVM) holds every producer to a byte-rate quota (the
 * default client-id quota {@code producer_byte_rate}, set with Kafka's Admin API) far below what
 * the job could write, for {@link #THROTTLED}. Then the quota is lifted and the run finishes.
 *
 * <p>During the throttled phase the job's source is backpressured, checkpoints keep completing
 * (their durations are printed), the TaskManager's heap stays below half of its maximum and the
 * input not yet written stays in Kafka, not in the job. Afterwards a {@code read_committed} reader
 * sees every record exactly once and in order, and the final stats equal a failure-free run's.
 */
class BackpressureITCase {
    private static final SequencedFeatures INPUT = new SequencedFeatures(1000, 200, 8);
    private static final long GOOD_TOTAL = INPUT.total() - INPUT.badTotal();
    private static final TrainRun TRAIN = new TrainRun(INPUT, 16);
    private static final Duration THROTTLED = Duration.ofSeconds(150);

    /** Bytes per second each producer may write while throttled. */
    private static final double PRODUCER_BYTE_RATE = 40_000;

    /**
     * The job's Kafka producers buffer at most this much: a checkpoint waits until the buffer is
     * written, so under a quota it bounds how long a checkpoint takes (README "Overload").
     */
    private static final int PRODUCER_BUFFER_BYTES = 256 * 1024;

    private static final int MIN_THROTTLED_CHECKPOINTS = 5;
    private static final Duration RUN_LIMIT = Duration.ofMinutes(5);

    /**
     * More options for the run, to compare choices by hand, e.g. {@code
     * -Dstreamnorm.overload.run-options="--no-unaligned-checkpoints --no-buffer-debloat"}.
     */
    private static final String MORE_OPTIONS =
            System.getProperty("streamnorm.overload.run-options", "").trim();

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(80);

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aThrottledOutputLosesNothingAndCheckpointsGoOn() throws Exception {
        Path dir = BuildOutputs.runDirectory("backpressure");
        KafkaBrokerProcess kafka =
                KafkaBrokerProcess.start(
                        processes, dir.resolve("kafka"), dir.resolve("log4j2.properties"));
        kafka.createTopics(4, "input", "output");
        kafka.createTopics(2, "dead-letters");
        INPUT.produce(kafka.bootstrapServers(), "input");
        setProducerByteRate(kafka, PRODUCER_BYTE_RATE);

        Path statsOut = dir.resolve("final-stats.json");
        int metricsPort = FreePort.pick();
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(TRAIN.options(kafka.bootstrapServers(), dir.resolve("checkpoints"), statsOut));
        args.addAll(
                List.of(
                        "--parallelism",
                        "2",
                        "--transaction-timeout",
                        "5min",
                        "--kafka-property",
                        "buffer.memory=" + PRODUCER_BUFFER_BYTES,
                        "--metrics-port",
                        Integer.toString(metricsPort)));
        if (!MORE_OPTIONS.isEmpty()) {
            args.addAll(List.of(MORE_OPTIONS.split("\\s+")));
        }
        JvmProcess run = StreamnormProcess.start(processes, "streamnorm-run", dir, args);
        CommittedOutput output =
                new CommittedOutput(
                        kafka.bootstrapServers(),
                        "output",
                        "dead-letters",
                        new SequenceCheck(INPUT));
        SequenceCheck check = output.check();
        JobObserver job =
                JobObserver.attach(
                        run, dir.resolve("streamnorm-run.log"), metricsPort, Duration.ofMinutes(2));

        long throttledFrom = System.currentTimeMillis();
        long liftAt = throttledFrom + THROTTLED.toMillis();
        while (System.currentTimeMillis() < liftAt) {
            assertThat(job.sample()).as("the run answers while throttled").isTrue();
            output.poll(Duration.ofSeconds(1));
        }
        long liftedAt = System.currentTimeMillis();
        long committedWhenLifted = check.outputs();
        setProducerByteRate(kafka, null);

        try (output) {
            assertThat(run.awaitExit(RUN_LIMIT)).as("exit code of the run").isZero();
            long finishedAt = System.currentTimeMillis();
            try (Admin admin = kafka.admin()) {
                output.readToEnd(admin, Duration.ofMinutes(1));
            }
            System.out.printf(
                    Locale.ROOT,
                    "backpressure: options %s; %,d records; %,d committed after %d s throttled to %.0f B/s per"
                            + " producer, the rest %.0f s after the quota was lifted%n",
                    MORE_OPTIONS.isEmpty() ? "default" : MORE_OPTIONS,
                    INPUT.total(),
                    committedWhenLifted,
                    THROTTLED.toSeconds(),
                    PRODUCER_BYTE_RATE,
                    (finishedAt - liftedAt) / 1e3);
        }
        assertThrottledPhase(job, throttledFrom, liftedAt, committedWhenLifted);

        assertThat(check.problems()).as("lost, duplicated or reordered records").isEmpty();
        assertThat(check.outputs()).as("committed outputs").isEqualTo(GOOD_TOTAL);
        assertThat(check.deadLetters()).as("committed dead letters").isEqualTo(INPUT.badTotal());
        TRAIN.assertFinalStats(statsOut);
    }

    private static void assertThrottledPhase(
            JobObserver job, long from, long to, long committedWhenLifted) {
        List<Sample> throttled = new ArrayList<>();
        for (Sample s : job.samples()) {
            if (s.millis() >= from && s.millis() < to) {
                throttled.add(s);
            }
        }
        long highBackpressure =
                throttled.stream().filter(s -> s.backpressure().equals("high")).count();
        long maxHeap = throttled.stream().mapToLong(Sample::heapUsed).max().orElseThrow();
        long recordsInWhenLifted = throttled.get(throttled.size() - 1).recordsIn();
        List<Long> durations = new ArrayList<>();
        int unaligned = 0;
        long persisted = 0;
        for (Checkpoint c : job.checkpoints()) {
            if (c.triggerMillis() >= from && c.triggerMillis() + c.durationMillis() < to) {
                durations.add(c.durationMillis());
                unaligned += c.persistedInFlight() > 0 ? 1 : 0;
                persisted = Math.max(persisted, c.persistedInFlight());
            }
        }
        Collections.sort(durations);
        System.out.printf(
                Locale.ROOT,
                "backpressure: throttled %.0f s: source backpressure high in %d of %d samples;"
                        + " %d checkpoints completed (%d of them unaligned, storing at most %,d bytes"
                        + " of in-flight records), durations %s ms; heap used at most %.0f MB"
                        + " of %.0f MB; %,d of %,d records read from Kafka%n",
                (to - from) / 1e3,
                highBackpressure,
                throttled.size(),
                durations.size(),
                unaligned,
                persisted,
                durations,
                maxHeap / 1e6,
                job.heapMax() / 1e6,
                recordsInWhenLifted,
                INPUT.total());
        assertThat(committedWhenLifted)
                .as("outputs committed while throttled (the output was the bottleneck)")
                .isLessThan(GOOD_TOTAL / 2);
        assertThat(recordsInWhenLifted)
                .as("records read while throttled: the backlog stays in Kafka")
                .isLessThan(INPUT.total());
        assertThat(highBackpressure)
                .as("samples with the source backpressured")
                .isGreaterThanOrEqualTo(throttled.size() / 2);
        assertThat(durations)
                .as("checkpoints completed while throttled")
                .hasSizeGreaterThanOrEqualTo(MIN_THROTTLED_CHECKPOINTS);
        assertThat(maxHeap).as("heap used while throttled").isLessThan(job.heapMax() / 2);
    }

    /**
     * Sets the default client-id quota {@code producer_byte_rate} (every producer without a quota
     * of its own) to {@code rate}, or removes it ({@code null}).
     */
    private static void setProducerByteRate(KafkaBrokerProcess kafka, Double rate)
            throws Exception {
        ClientQuotaEntity everyClient =
                new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.CLIENT_ID, null));
        try (Admin admin = kafka.admin()) {
            admin.alterClientQuotas(
                            List.of(
                                    new ClientQuotaAlteration(
                                            everyClient,
                                            List.of(
                                                    new ClientQuotaAlteration.Op(
                                                            "producer_byte_rate", rate)))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
