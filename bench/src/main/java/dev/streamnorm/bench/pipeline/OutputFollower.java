package dev.streamnorm.bench.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A {@code read_committed} consumer of a pipeline's output topic, on its own thread: counts what
 * becomes visible and when (for throughput), measures latency of the records produced from {@link
 * #measureLatencyFrom} on, and keeps a hash of the values of every 8th backlog output (for
 * comparing pipelines).
 *
 * <p>Latency = the time this consumer receives a record − the record's Kafka timestamp, which the
 * pipelines copy from the input's {@code ts} field, set by the producer when it sent the input.
 */
final class OutputFollower implements AutoCloseable {
    static final int HASH_EVERY = 8;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final long backlog;
    private final int batchSize;
    private volatile boolean stopped;
    private volatile long count;
    private volatile long latencyFromMillis = Long.MAX_VALUE;
    private volatile Throwable failure;

    // Written by the follower thread, read after close() (Thread.join orders them).
    private long[] observedNanos = new long[1024];
    private long[] observedCounts = new long[1024];
    // The process CPU time and the JIT's compilation time at each observation.
    private long[] observedCpu = new long[1024];
    private long[] observedJit = new long[1024];
    // The CPU time of the broker's threads and of this follower's own thread at each observation.
    private long[] observedBrokerCpu = new long[1024];
    private long[] observedOwnCpu = new long[1024];
    private final BrokerThreads broker;
    private int observations;
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private long[] closerLatencies = new long[1 << 12];
    private int closerCount;
    private final Map<String, int[]> latencyRecordsPerKey = new HashMap<>();
    private final int[] hashes;
    private final BitSet hashed = new BitSet();
    private final BitSet seen = new BitSet();
    private long duplicates;

    OutputFollower(
            String bootstrap, String topic, long backlog, int batchSize, BrokerThreads broker) {
        this.backlog = backlog;
        this.broker = broker;
        this.batchSize = batchSize;
        this.hashes = new int[(int) (backlog / HASH_EVERY + 1)];
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .collect(Collectors.toList());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::follow, "output-follower-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        try {
            while (!stopped) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(20));
                if (records.isEmpty()) {
                    continue;
                }
                long nowMillis = System.currentTimeMillis();
                long nowNanos = System.nanoTime();
                long latencyFrom = latencyFromMillis;
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    take(record, nowMillis, latencyFrom);
                }
                observe(nowNanos, count + records.count());
                count += records.count();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close();
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record, long nowMillis, long latencyFrom) {
        long id = PipelineData.idOf(record.value());
        if (id >= 0) {
            if (id < Integer.MAX_VALUE && seen.get((int) id)) {
                duplicates++;
            } else if (id < Integer.MAX_VALUE) {
                seen.set((int) id);
            }
            if (id < backlog && id % HASH_EVERY == 0) {
                hashes[(int) (id / HASH_EVERY)] = valuesHash(record.value());
                hashed.set((int) (id / HASH_EVERY));
            }
        }
        if (record.timestamp() >= latencyFrom) {
            long latency = nowMillis - record.timestamp();
            latencies = add(latencies, latencyCount++, latency);
            String key = new String(record.key(), StandardCharsets.UTF_8);
            int[] n = latencyRecordsPerKey.computeIfAbsent(key, k -> new int[1]);
            // The last record of a batch waited for no other record: its latency is the pipeline's.
            if (n[0]++ % batchSize == batchSize - 1) {
                closerLatencies = add(closerLatencies, closerCount++, latency);
            }
        }
    }

    private static final byte[] VALUES_FIELD = "\"values\":".getBytes(StandardCharsets.UTF_8);

    /**
     * A hash of the output from its {@code values} field on: the normalized values (the {@code ts}
     * before it is the send time, which differs between variants).
     */
    static int valuesHash(byte[] json) {
        int from = 0;
        search:
        for (int i = 0; i + VALUES_FIELD.length <= json.length; i++) {
            for (int j = 0; j < VALUES_FIELD.length; j++) {
                if (json[i + j] != VALUES_FIELD[j]) {
                    continue search;
                }
            }
            from = i;
            break;
        }
        int h = 1;
        for (int i = from; i < json.length; i++) {
            h = 31 * h + json[i];
        }
        return h;
    }

    private static long[] add(long[] array, int index, long value) {
        long[] a = index < array.length ? array : Arrays.copyOf(array, array.length * 2);
        a[index] = value;
        return a;
    }

    private void observe(long nanos, long total) {
        if (observations == observedNanos.length) {
            observedNanos = Arrays.copyOf(observedNanos, observations * 2);
            observedCounts = Arrays.copyOf(observedCounts, observations * 2);
            observedCpu = Arrays.copyOf(observedCpu, observations * 2);
            observedJit = Arrays.copyOf(observedJit, observations * 2);
            observedBrokerCpu = Arrays.copyOf(observedBrokerCpu, observations * 2);
            observedOwnCpu = Arrays.copyOf(observedOwnCpu, observations * 2);
        }
        // Summing the broker's threads takes a system call per thread: only where the sustained
        // phase starts and ends (10 % and 90 % of the backlog), the counts VariantResult reads.
        boolean mark = crosses(total, backlog / 10) || crosses(total, backlog * 9 / 10);
        observedBrokerCpu[observations] = mark ? broker.cpuNanos() : -1;
        observedOwnCpu[observations] = Probe.threadCpu();
        observedCpu[observations] = Probe.processCpu();
        observedJit[observations] = Probe.jitNanos();
        observedNanos[observations] = nanos;
        observedCounts[observations] = total;
        observations++;
    }

    /** Whether the observation of {@code total} records is the first with at least {@code mark}. */
    private boolean crosses(long total, long mark) {
        return count < mark && total >= mark;
    }

    /** Records with a Kafka timestamp at or after {@code millis} are latency samples. */
    void measureLatencyFrom(long millis) {
        latencyFromMillis = millis;
    }

    /** Visible records so far. */
    long count() {
        return count;
    }

    /** Waits until {@code target} records are visible; false on timeout or failure. */
    boolean await(long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count < target && failure == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (failure != null) {
            throw new IllegalStateException("the output follower failed", failure);
        }
        return count >= target;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(10_000);
    }

    /** The first time (nanoTime) at which at least {@code n} records were visible, or -1. */
    long timeOfCount(long n) {
        for (int i = 0; i < observations; i++) {
            if (observedCounts[i] >= n) {
                return observedNanos[i];
            }
        }
        return -1;
    }

    /** The process CPU time at the first observation with at least {@code n} records, or -1. */
    long cpuAtCount(long n) {
        return at(observedCpu, n);
    }

    /** The JIT's compilation time at the first observation with at least {@code n} records. */
    long jitAtCount(long n) {
        return at(observedJit, n);
    }

    /**
     * The broker threads' CPU time at the first observation with at least {@code n} records, taken
     * for n = 10 % and 90 % of the backlog only (-1 otherwise).
     */
    long brokerCpuAtCount(long n) {
        return at(observedBrokerCpu, n);
    }

    /** This follower's own CPU time at the first observation with at least {@code n} records. */
    long ownCpuAtCount(long n) {
        return at(observedOwnCpu, n);
    }

    private long at(long[] observed, long n) {
        for (int i = 0; i < observations; i++) {
            if (observedCounts[i] >= n) {
                return observed[i];
            }
        }
        return -1;
    }

    /** The visible count at the first observation with at least {@code n} records, or -1. */
    long countAtLeast(long n) {
        for (int i = 0; i < observations; i++) {
            if (observedCounts[i] >= n) {
                return observedCounts[i];
            }
        }
        return -1;
    }

    /** p50 and p99 of all latency samples, in ms, and their number. */
    double[] latency() {
        double[] q = Report.p50p99(latencies, latencyCount);
        return new double[] {q[0], q[1], latencyCount};
    }

    /** p50 and p99 of the batch-closing records' latency, in ms, and their number. */
    double[] closerLatency() {
        double[] q = Report.p50p99(closerLatencies, closerCount);
        return new double[] {q[0], q[1], closerCount};
    }

    long duplicates() {
        return duplicates;
    }

    /** Number of sampled backlog outputs whose hash differs from {@code other}'s. */
    long differences(OutputFollower other) {
        long different = 0;
        for (int i = 0; i < hashes.length; i++) {
            if (hashed.get(i) != other.hashed.get(i) || hashes[i] != other.hashes[i]) {
                different++;
            }
        }
        return different;
    }

    /** Number of backlog outputs sampled for comparison. */
    int sampled() {
        return hashed.cardinality();
    }
}
