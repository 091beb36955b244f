package dev.streamnorm.bench.global;

import dev.streamnorm.bench.pipeline.RunTiming;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.Scope;
import dev.streamnorm.operators.SubtaskSequenceSource;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One run of the global-scope benchmark on a local MiniCluster in this JVM: an in-memory parallel
 * source of records with event times → train-mode batch norm with event-time batches, either global
 * scope or every record under one key (the baseline that cannot scale) → a sink.
 *
 * <p>Record {@code r} has event time {@code r} ms and the values of entry {@code r mod 4093} of a
 * fixed pool. At parallelism p, source subtask s reads records {@code s, s + p, s + 2p, ...}: the
 * records, their event times and so the batches are the same at every parallelism.
 */
final class GlobalScopeJob {
    /** Which statistics: global scope, or everything keyed by one constant key. */
    enum Variant {
        GLOBAL,
        ONE_KEY,
        /**
         * Keyed scope over {@link #KEYS} keys: the same pipeline without a global exchange (not
         * compared for equal outputs; its batches wait for the watermark, so the faster source's
         * records pile up: not a floor).
         */
        KEYED,
        /**
         * The floor of global scope's scaling: local statistics, no coordinator (FusedLocalBound).
         */
        FUSED_BOUND
    }

    static final String KEY = "all";
    static final int KEYS = 1024;
    static final int POOL = 4093;
    static final long SEED = 20_251_122L;

    final Variant variant;
    final int parallelism;
    final int features;
    final long intervalMillis;
    final long watermarkIntervalMillis;
    final boolean objectReuse;
    // Watermark alignment of the source subtasks (0: off): max event-time drift, update interval.
    final long maxDriftMillis;
    final long alignmentUpdateMillis;

    GlobalScopeJob(
            Variant variant,
            int parallelism,
            int features,
            long intervalMillis,
            long watermarkIntervalMillis,
            boolean objectReuse,
            long maxDriftMillis,
            long alignmentUpdateMillis) {
        this.variant = variant;
        this.parallelism = parallelism;
        this.features = features;
        this.intervalMillis = intervalMillis;
        this.watermarkIntervalMillis = watermarkIntervalMillis;
        this.objectReuse = objectReuse;
        this.maxDriftMillis = maxDriftMillis;
        this.alignmentUpdateMillis = alignmentUpdateMillis;
    }

    String name() {
        String prefix =
                variant == Variant.GLOBAL
                        ? "global"
                        : variant == Variant.ONE_KEY
                                ? "one-key"
                                : variant == Variant.KEYED ? "keyed" : "fused-bound";
        return prefix + " p" + parallelism;
    }

    Normalization normalization() {
        return Normalization.builder()
                .setMode(Mode.TRAIN)
                .setShape(RecordShape.vector(features))
                .setMomentum(Momentum.of(0.1))
                .setBatchInterval(Duration.ofMillis(intervalMillis))
                .setEmitFinalStats(true)
                .setScope(variant == Variant.GLOBAL ? Scope.GLOBAL : Scope.KEY)
                .build();
    }

    private StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, objectReuse);
        conf.set(
                PipelineOptions.AUTO_WATERMARK_INTERVAL,
                Duration.ofMillis(watermarkIntervalMillis));
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    private SingleOutputStreamOperator<FeatureRecord> pipeline(
            StreamExecutionEnvironment env, long records) {
        if (records % parallelism != 0) {
            throw new IllegalArgumentException(
                    "records must be a multiple of the parallelism, got " + records);
        }
        long perSubtask = records / parallelism;
        int p = parallelism;
        WatermarkStrategy<Long> watermarks =
                WatermarkStrategy.<Long>forMonotonousTimestamps()
                        .withTimestampAssigner((id, previous) -> record(id, perSubtask, p));
        if (maxDriftMillis > 0) {
            watermarks =
                    watermarks.withWatermarkAlignment(
                            "records",
                            Duration.ofMillis(maxDriftMillis),
                            Duration.ofMillis(alignmentUpdateMillis));
        }
        DataStream<FeatureRecord> input =
                env.fromSource(
                                new SubtaskSequenceSource(equalShares(perSubtask, p)),
                                watermarks,
                                "in-memory records")
                        .map(
                                new Generate(features, perSubtask, p, variant == Variant.KEYED),
                                FeatureRecordTypeInfoFactory.TYPE_INFO)
                        .name("generate records");
        if (variant == Variant.FUSED_BOUND) {
            return input.transform(
                    "fused bound (local stats)",
                    FeatureRecordTypeInfoFactory.TYPE_INFO,
                    new FusedLocalBound(RecordShape.vector(features), intervalMillis));
        }
        return normalization().apply(input);
    }

    /** The record index (= event time) of the id that the source emits. */
    static long record(long id, long perSubtask, int parallelism) {
        return (id % perSubtask) * parallelism + id / perSubtask;
    }

    /**
     * Runs {@code records} records through; returns its timing, with the CPU time of the whole
     * process (all threads) from the first record to the end of input at the sinks.
     */
    RunTiming run(long records) throws Exception {
        StreamExecutionEnvironment env = environment();
        SingleOutputStreamOperator<FeatureRecord> out = pipeline(env, records);
        out.sinkTo(new CountingSink()).name("count");
        Probe.reset();
        long wallStart = System.nanoTime();
        env.execute("global scope benchmark " + name());
        long wall = System.nanoTime() - wallStart;
        return new RunTiming(
                records,
                Probe.SUNK.get(),
                Probe.elapsedNanos(),
                wall,
                Probe.LAST_CPU.get() - Probe.FIRST_CPU.get());
    }

    /** Runs {@code records} records and keeps every output and the final stats. */
    Outputs runAndCollect(long records) throws Exception {
        StreamExecutionEnvironment env = environment();
        SingleOutputStreamOperator<FeatureRecord> out = pipeline(env, records);
        Outputs.RECORDS.clear();
        Outputs.FINAL_STATS.clear();
        out.sinkTo(new KeepingSink()).name("keep");
        out.getSideOutput(Normalization.FINAL_STATS).sinkTo(new KeepStats()).name("keep stats");
        env.execute("global scope benchmark check " + name());
        return new Outputs(Map.copyOf(Outputs.RECORDS), Map.copyOf(Outputs.FINAL_STATS));
    }

    /**
     * Id to record: event time = record index, values from the pool (copied: normalized in place).
     */
    static final class Generate extends RichMapFunction<Long, FeatureRecord> {
        private static final long serialVersionUID = 1L;
        private static final byte[] NO_PAYLOAD = new byte[0];

        private final int features;
        private final long perSubtask;
        private final int parallelism;
        private final boolean manyKeys;
        private transient double[][] pool;
        private transient String[] keys;
        private transient boolean started;

        Generate(int features, long perSubtask, int parallelism, boolean manyKeys) {
            this.features = features;
            this.perSubtask = perSubtask;
            this.parallelism = parallelism;
            this.manyKeys = manyKeys;
        }

        @Override
        public void open(OpenContext openContext) {
            pool = pool(features);
            keys = new String[KEYS];
            for (int k = 0; k < KEYS; k++) {
                keys[k] = "key-" + k;
            }
        }

        @Override
        public FeatureRecord map(Long id) {
            if (!started) {
                started = true;
                Probe.firstEmit();
            }
            long r = record(id, perSubtask, parallelism);
            String key = manyKeys ? keys[(int) (r % KEYS)] : KEY;
            return new FeatureRecord(
                    key, r, pool[(int) (r % POOL)].clone(), NO_PAYLOAD, Origin.none());
        }
    }

    /** The value pool: feature f around its own center with its own spread, from a fixed seed. */
    static double[][] pool(int features) {
        SplittableRandom random = new SplittableRandom(SEED);
        double[] center = new double[features];
        double[] spread = new double[features];
        for (int f = 0; f < features; f++) {
            center[f] = random.nextDouble(-50.0, 50.0);
            spread[f] = random.nextDouble(0.5, 10.0);
        }
        double[][] pool = new double[POOL][features];
        for (double[] values : pool) {
            for (int f = 0; f < features; f++) {
                values[f] = center[f] + spread[f] * random.nextGaussian();
            }
        }
        return pool;
    }

    /** The time from the first record generated to the end of input at the last sink subtask. */
    static final class Probe {
        static final AtomicLong FIRST = new AtomicLong();
        static final AtomicLong LAST = new AtomicLong();
        static final AtomicLong SUNK = new AtomicLong();
        // The process CPU time at the first record and at the end of input at the last sink.
        static final AtomicLong FIRST_CPU = new AtomicLong();
        static final AtomicLong LAST_CPU = new AtomicLong();

        static void reset() {
            FIRST.set(Long.MAX_VALUE);
            LAST.set(Long.MIN_VALUE);
            SUNK.set(0);
            FIRST_CPU.set(Long.MAX_VALUE);
            LAST_CPU.set(Long.MIN_VALUE);
        }

        static void firstEmit() {
            FIRST.accumulateAndGet(System.nanoTime(), Math::min);
            FIRST_CPU.accumulateAndGet(processCpuNanos(), Math::min);
        }

        static void sinkDone(long count) {
            SUNK.addAndGet(count);
            LAST.accumulateAndGet(System.nanoTime(), Math::max);
            LAST_CPU.accumulateAndGet(processCpuNanos(), Math::max);
        }

        static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean)
                            ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }

        static long elapsedNanos() {
            return LAST.get() - FIRST.get();
        }
    }

    /** Counts and discards. */
    static final class CountingSink implements Sink<FeatureRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<FeatureRecord> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                private long count;
                private boolean done;

                @Override
                public void write(FeatureRecord element, Context context) {
                    count++;
                }

                @Override
                public void flush(boolean endOfInput) {
                    if (endOfInput && !done) {
                        done = true;
                        Probe.sinkDone(count);
                    }
                }

                @Override
                public void close() {
                    flush(true);
                }
            };
        }
    }

    /** Keeps every record's values by record index. */
    static final class KeepingSink implements Sink<FeatureRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<FeatureRecord> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(FeatureRecord element, Context context) {
                    Outputs.RECORDS.put(element.timestamp(), element.values());
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** Keeps the final stats by key. */
    static final class KeepStats implements Sink<Tuple2<String, RunningStats>> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Tuple2<String, RunningStats>> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Tuple2<String, RunningStats> element, Context context) {
                    Outputs.FINAL_STATS.put(element.f0, element.f1);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** What a checked run produced. */
    static final class Outputs {
        static final Map<Long, double[]> RECORDS = new ConcurrentHashMap<>();
        static final Map<String, RunningStats> FINAL_STATS = new ConcurrentHashMap<>();

        final Map<Long, double[]> records;
        final Map<String, RunningStats> finalStats;

        Outputs(Map<Long, double[]> records, Map<String, RunningStats> finalStats) {
            this.records = records;
            this.finalStats = finalStats;
        }
    }

    private static long[] equalShares(long perSubtask, int parallelism) {
        long[] sizes = new long[parallelism];
        java.util.Arrays.fill(sizes, perSubtask);
        return sizes;
    }
}
