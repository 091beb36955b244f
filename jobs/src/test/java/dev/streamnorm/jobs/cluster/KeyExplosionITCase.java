package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.jobs.cluster.JobObserver.Checkpoint;
import dev.streamnorm.jobs.cluster.JobObserver.Sample;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A key explosion: {@code streamnorm run} (its own JVM) in online mode, file → file, RocksDB, with
 * {@code --state-ttl}, on an input where every record has a key of its own. The state must stay
 * bounded by what the keys seen within the last TTL need, not grow with every key ever seen.
 *
 * <p>Figures, printed: records/s, and per completed checkpoint its state size, the keys seen within
 * the last TTL and the bytes per such key·feature. The bytes a key needs come from the checkpoints
 * of the run's first TTL, when no key can have expired yet: the state's growth per key seen between
 * the first and the last of them.
 *
 * <p>{@code mvn verify} runs 6 million keys with a TTL of 4 s (at least 7 TTLs long, even at
 * 200,000 records/s); the {@code overload} profile ({@code -Poverload}) sets {@code
 * streamnorm.overload.keys} to 10 million and {@code streamnorm.overload.ttl-seconds} to 10 (README
 * "Overload").
 */
class KeyExplosionITCase {
    private static final long KEYS = Long.getLong("streamnorm.overload.keys", 6_000_000);
    private static final Duration TTL =
            Duration.ofSeconds(Long.getLong("streamnorm.overload.ttl-seconds", 4));
    private static final int FEATURES = 2;

    /**
     * How many times the live keys' need the state may hold: RocksDB drops an expired key when a
     * compaction rewrites it, so a checkpoint still holds keys expired since the last compactions.
     */
    private static final double BOUND_FACTOR = 3.0;

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(60);

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void stateStaysBoundedByTheTtl() throws Exception {
        Path dir = BuildOutputs.runDirectory("key-explosion");
        Path input = dir.resolve("input.jsonl");
        writeInput(input);
        Path output = dir.resolve("output.jsonl");
        Path deadLetters = dir.resolve("dead-letters.jsonl");
        int metricsPort = FreePort.pick();
        JvmProcess run =
                StreamnormProcess.start(
                        processes,
                        "streamnorm-run",
                        dir,
                        List.of(
                                "run",
                                "--input",
                                input.toUri().toString(),
                                "--output",
                                output.toUri().toString(),
                                "--dead-letter",
                                deadLetters.toUri().toString(),
                                "--mode",
                                "online",
                                "--shape",
                                Integer.toString(FEATURES),
                                "--state-backend",
                                "rocksdb",
                                "--state-ttl",
                                TTL.toMillis() + "ms",
                                "--checkpoint-interval",
                                "1s",
                                "--checkpoint-dir",
                                dir.resolve("checkpoints").toUri().toString(),
                                "--parallelism",
                                "2",
                                "--metrics-port",
                                Integer.toString(metricsPort)));
        JobObserver job =
                JobObserver.attach(
                        run, dir.resolve("streamnorm-run.log"), metricsPort, Duration.ofMinutes(2));
        while (job.sample()) {
            Thread.sleep(500);
        }
        assertThat(run.awaitExit(Duration.ofMinutes(5))).as("exit code of the run").isZero();
        assertThat(lines(output)).as("outputs").isEqualTo(KEYS);
        assertThat(Files.exists(deadLetters) ? lines(deadLetters) : 0).as("dead letters").isZero();
        report(job);
    }

    private static void report(JobObserver job) {
        List<Sample> samples = job.samples();
        long first =
                samples.stream().filter(s -> s.recordsIn() > 0).findFirst().orElseThrow().millis();
        Sample last = samples.get(samples.size() - 1);
        double seconds = (last.millis() - first) / 1e3;
        // What keys need, from the checkpoints of the first TTL, when no key can have expired: the
        // growth of the state per key seen between the first and the last of them, and what the
        // state holds besides the keys (the rest of the first one).
        Checkpoint early = null;
        Checkpoint late = null;
        for (Checkpoint c : job.checkpoints()) {
            if (c.triggerMillis() - first < TTL.toMillis()
                    && job.recordsInAt(c.triggerMillis()) > 0) {
                early = early == null ? c : early;
                late = c;
            }
        }
        assertThat(early).as("checkpoints within the first TTL").isNotNull().isNotSameAs(late);
        long earlyKeys = job.recordsInAt(early.triggerMillis());
        double bytesPerKey =
                (double) (late.stateSize() - early.stateSize())
                        / (job.recordsInAt(late.triggerMillis()) - earlyKeys);
        double otherBytes = Math.max(0, early.stateSize() - bytesPerKey * earlyKeys);
        assertThat(bytesPerKey).as("bytes per key").isPositive();
        long peak = 0;
        int checked = 0;
        for (Checkpoint c : job.checkpoints()) {
            long seen = job.recordsInAt(c.triggerMillis());
            long live = seen - job.recordsInAt(c.triggerMillis() - TTL.toMillis());
            if (seen == 0) {
                continue;
            }
            peak = Math.max(peak, c.stateSize());
            System.out.printf(
                    Locale.ROOT,
                    "key explosion: checkpoint %d at %.1f s: %,d keys seen, %,d within the last TTL,"
                            + " state %,d bytes (%.1f per live key·feature), %d ms%n",
                    c.id(),
                    (c.triggerMillis() - first) / 1e3,
                    seen,
                    live,
                    c.stateSize(),
                    (double) c.stateSize() / Math.max(1, live) / FEATURES,
                    c.durationMillis());
            if (c.triggerMillis() - first > 2 * TTL.toMillis()) {
                checked++;
                assertThat((double) c.stateSize())
                        .as(
                                "state of checkpoint %d: at most %.0f× what %,d live keys need",
                                c.id(), BOUND_FACTOR, live)
                        .isLessThanOrEqualTo(BOUND_FACTOR * (otherBytes + bytesPerKey * live));
            }
        }
        assertThat(checked).as("checkpoints after two TTLs").isGreaterThanOrEqualTo(3);
        System.out.printf(
                Locale.ROOT,
                "key explosion: %,d keys (one record each), %d features, RocksDB, --state-ttl %d s:"
                        + " %.0f records/s over %.1f s; %.1f bytes per key·feature (and %,.0f"
                        + " bytes besides); peak checkpoint %,d bytes where all keys would need"
                        + " %,.0f (%.1f%%)%n",
                KEYS,
                FEATURES,
                TTL.toSeconds(),
                KEYS / seconds,
                seconds,
                bytesPerKey / FEATURES,
                otherBytes,
                peak,
                otherBytes + bytesPerKey * KEYS,
                100 * peak / (otherBytes + bytesPerKey * KEYS));
        assertThat((double) peak)
                .as("peak checkpoint")
                .isLessThan((otherBytes + bytesPerKey * KEYS) / 2);
    }

    /** One record per key: {@code {"key":"u<i>","values":[...]}}, values from the key's index. */
    private static void writeInput(Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (long i = 0; i < KEYS; i++) {
                out.write("{\"key\":\"u");
                out.write(Long.toString(i));
                out.write("\",\"values\":[");
                out.write(Long.toString(i % 1000));
                out.write(",");
                out.write(Long.toString(i % 7 - 3));
                out.write("]}\n");
            }
        }
    }

    private static long lines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        }
    }
}
