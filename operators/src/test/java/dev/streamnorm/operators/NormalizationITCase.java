package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Train mode on a MiniCluster (parallelism 2, 50 keys, 100k records, checkpoints every 500 ms): a
 * run with one injected failure and a recovery from a checkpoint gives outputs, dead letters and
 * final per-key running stats bit-identical to a failure-free run.
 *
 * <p>How exactly-once is observed without Kafka: the job is collected with {@code
 * executeAndCollect()}. With checkpointing enabled, its collect sink is exactly-once: the client
 * only receives results covered by a completed checkpoint (or by the end of the job), and the
 * results of a failed attempt after the last checkpoint are dropped and produced again by the
 * restored job. So a lost or duplicated record would show as a difference from the failure-free
 * run. The records are generated from their sequence number by a source of parallelism 1 that
 * restores its position, so every key sees its records in the same order in both runs and count
 * batches (timeout disabled) are the same; the outputs, dead letters and final stats are compared
 * as sorted lists of lines with every double written as its exact bit pattern.
 */
@SuppressWarnings("try")
class NormalizationITCase {
    private static final int KEYS = 50;
    private static final int RECORDS = 100_000;
    private static final int FAIL_AFTER = 60_000;
    private static final int CHANNELS = 4;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Whether the failure was injected (once per JVM: the restarted attempt must not fail). */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Whether a checkpoint completed after the generator passed half of FAIL_AFTER. */
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();

    /** The first sequence number the restarted attempt generated. */
    static final AtomicLong RESUMED_AT = new AtomicLong(-1);

    @Test
    void recoveryFromACheckpointIsBitIdenticalToAFailureFreeRun() throws Exception {
        List<String> reference = run(false);
        assertThat(FAILED).isFalse();
        List<String> recovered = run(true);
        assertThat(FAILED).as("the failure was injected").isTrue();
        assertThat(RESUMED_AT.get())
                .as("the restarted attempt resumed from a checkpoint in the middle of the stream")
                .isBetween(1L, (long) FAIL_AFTER);

        long outputs = reference.stream().filter(l -> l.startsWith("O|")).count();
        long dead = reference.stream().filter(l -> l.startsWith("D|")).count();
        long stats = reference.stream().filter(l -> l.startsWith("S|")).count();
        assertThat(dead).as("the bad records").isEqualTo(expectedDeadLetters());
        assertThat(outputs + dead).as("records in = records out + dead letters").isEqualTo(RECORDS);
        assertThat(stats).as("final stats of every key").isEqualTo(KEYS);
        assertThat(reference)
                .filteredOn(l -> l.startsWith("D|"))
                .allMatch(l -> l.contains("|non-finite|") || l.contains("|wrong-length|"));

        assertThat(recovered).hasSameSizeAs(reference);
        assertThat(recovered).isEqualTo(reference);
    }

    private static List<String> run(boolean injectFailure) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(500);

        // One source subtask: each key's records reach the keyed operator in sequence order.
        DataStream<FeatureRecord> records =
                env.fromSequence(0, RECORDS - 1)
                        .setParallelism(1)
                        .map(new Generate(injectFailure))
                        .returns(FeatureRecordTypeInfoFactory.TYPE_INFO)
                        .setParallelism(1)
                        .name("generate");
        Normalization normalization =
                Normalization.builder()
                        .setMode(Mode.TRAIN)
                        .setBatchSize(32)
                        .setBatchTimeout(Duration.ZERO)
                        .setMomentum(Momentum.of(0.1))
                        .setAffine(
                                Affine.of(new double[] {1, 2, 0.5, -1}, new double[] {0, 1, 2, 3}))
                        .setEmitFinalStats(true)
                        .build();
        SingleOutputStreamOperator<FeatureRecord> normalized = normalization.apply(records);
        DataStream<String> lines =
                normalized
                        .map(NormalizationITCase::line)
                        .returns(Types.STRING)
                        .union(
                                normalized
                                        .getSideOutput(Normalization.DEAD_LETTERS)
                                        .map(
                                                d ->
                                                        "D|"
                                                                + d.key()
                                                                + "|"
                                                                + d.error().code()
                                                                + "|"
                                                                + d.origin()
                                                                + "|"
                                                                + d.message())
                                        .returns(Types.STRING),
                                normalized
                                        .getSideOutput(Normalization.FINAL_STATS)
                                        .map(s -> line(s.f0, s.f1))
                                        .returns(Types.STRING));

        List<String> collected = new ArrayList<>();
        try (CloseableIterator<String> results = lines.executeAndCollect("normalization ITCase")) {
            results.forEachRemaining(collected::add);
        }
        Collections.sort(collected);
        return collected;
    }

    private static long expectedDeadLetters() {
        long count = 0;
        for (long i = 0; i < RECORDS; i++) {
            if (isNonFinite(i) || isShort(i)) {
                count++;
            }
        }
        return count;
    }

    private static boolean isNonFinite(long i) {
        return i % 997 == 13;
    }

    private static boolean isShort(long i) {
        return i % 1231 == 7;
    }

    /** Record {@code i}: key i mod 50, drifting values, some bad ones, origin = line i. */
    static FeatureRecord record(long i) {
        SplittableRandom random = new SplittableRandom(0x5EED_2024L + i * 0x9E37_79B9_7F4A_7C15L);
        double[] values = new double[isShort(i) ? CHANNELS - 1 : CHANNELS];
        for (int c = 0; c < values.length; c++) {
            values[c] = (c - 1.5) * 3 + (1 + c) * (random.nextDouble() - 0.5) + i * 1e-5;
        }
        if (isNonFinite(i)) {
            values[(int) (i % values.length)] = i % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
        }
        return new FeatureRecord(
                "key-" + (i % KEYS), i, values, new byte[0], Origin.file("generated", i));
    }

    private static String line(FeatureRecord r) {
        StringBuilder line = new StringBuilder("O|").append(r.key()).append('|').append(r.origin());
        for (double v : r.values()) {
            line.append('|').append(Long.toHexString(Double.doubleToRawLongBits(v)));
        }
        return line.toString();
    }

    private static String line(String key, RunningStats stats) {
        StringBuilder line = new StringBuilder("S|").append(key).append('|');
        line.append(stats.numBatchesTracked());
        for (int c = 0; c < stats.channels(); c++) {
            line.append('|').append(Long.toHexString(Double.doubleToRawLongBits(stats.mean(c))));
            line.append('|')
                    .append(Long.toHexString(Double.doubleToRawLongBits(stats.variance(c))));
        }
        return line.toString();
    }

    /**
     * Generates record i from the sequence number i. When injecting, it fails once after {@code
     * FAIL_AFTER} records, as soon as a checkpoint has completed after half of them (slowing down
     * until then), so the job recovers from a checkpoint taken in the middle of the stream.
     */
    static final class Generate extends RichMapFunction<Long, FeatureRecord>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        private final boolean injectFailure;
        private transient long last;

        Generate(boolean injectFailure) {
            this.injectFailure = injectFailure;
        }

        @Override
        public FeatureRecord map(Long i) throws Exception {
            last = i;
            if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
                RESUMED_AT.compareAndSet(-1, i);
            }
            if (injectFailure && i >= FAIL_AFTER && !FAILED.get()) {
                if (CHECKPOINTED.get()) {
                    FAILED.set(true);
                    throw new IllegalStateException("injected failure after record " + i);
                }
                Thread.sleep(1);
            }
            return record(i);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (injectFailure && last >= FAIL_AFTER / 2) {
                CHECKPOINTED.set(true);
            }
        }
    }
}
