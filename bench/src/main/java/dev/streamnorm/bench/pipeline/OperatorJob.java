package dev.streamnorm.bench.pipeline;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import javax.annotation.Nullable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The Flink side of the operator benchmark: a bounded in-memory source of {@link FeatureRecord}s (a
 * number sequence mapped to records by {@link PipelineData}) → {@link Normalization#apply} → a
 * sink, on a local MiniCluster in this JVM.
 */
final class OperatorJob {
    static final int BATCH_SIZE = 32;

    final int keys;
    final int features;
    // Null for a floor (then floor is set).
    @Nullable final Mode mode;
    @Nullable final Floor floor;
    final String backend;
    final int parallelism;
    final boolean objectReuse;

    OperatorJob(
            int keys,
            int features,
            @Nullable Mode mode,
            String backend,
            int parallelism,
            boolean objectReuse) {
        this(keys, features, mode, backend, parallelism, objectReuse, null);
    }

    /** A floor's pipeline ({@link Floor}). */
    static OperatorJob floor(
            int keys, int features, int parallelism, boolean objectReuse, Floor floor) {
        return new OperatorJob(keys, features, null, "hashmap", parallelism, objectReuse, floor);
    }

    private OperatorJob(
            int keys,
            int features,
            @Nullable Mode mode,
            String backend,
            int parallelism,
            boolean objectReuse,
            @Nullable Floor floor) {
        this.floor = floor;
        this.keys = keys;
        this.features = features;
        this.mode = mode;
        this.backend = backend;
        this.parallelism = parallelism;
        this.objectReuse = objectReuse;
    }

    /** Frozen running stats per key for eval mode: means in [-50, 50), variances in [0.25, 100). */
    static Map<String, RunningStats> evalStats(PipelineData data) {
        SplittableRandom random = new SplittableRandom(PipelineData.SEED + 1);
        Map<String, RunningStats> stats = new HashMap<>();
        for (int k = 0; k < data.keys; k++) {
            double[] mean = new double[data.features];
            double[] variance = new double[data.features];
            for (int c = 0; c < data.features; c++) {
                mean[c] = random.nextDouble(-50.0, 50.0);
                variance[c] = random.nextDouble(0.25, 100.0);
            }
            stats.put(data.keyName(k), RunningStats.of(mean, variance, 100L));
        }
        return stats;
    }

    Normalization normalization(PipelineData data, boolean emitFinalStats) {
        NormalizationBuilder builder =
                Normalization.builder()
                        .setMode(mode)
                        .setShape(RecordShape.vector(features))
                        .setBatchSize(BATCH_SIZE)
                        .setBatchTimeout(Duration.ZERO)
                        .setEmitFinalStats(emitFinalStats);
        if (mode == Mode.EVAL) {
            builder.setInitialStats(StatsTable.of(evalStats(data)));
        }
        return builder.build();
    }

    /** A local environment for this job's backend, parallelism and object reuse. */
    StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, objectReuse);
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    private SingleOutputStreamOperator<FeatureRecord> pipeline(
            StreamExecutionEnvironment env, long records, PipelineData data, boolean finalStats) {
        DataStream<FeatureRecord> input =
                env.fromSequence(0, records - 1)
                        .name("sequence")
                        .map(
                                new GenerateRecords(keys, features),
                                FeatureRecordTypeInfoFactory.TYPE_INFO)
                        .name("generate records");
        if (floor == Floor.KEYED_HEAPMAP) {
            Normalization train =
                    Normalization.builder()
                            .setMode(Mode.TRAIN)
                            .setShape(RecordShape.vector(features))
                            .setBatchSize(BATCH_SIZE)
                            .build();
            return keyed(input, floor)
                    .transform(
                            "train in a HashMap",
                            FeatureRecordTypeInfoFactory.TYPE_INFO,
                            new HeapMapTrainOperator(train));
        }
        if (floor != null) {
            return keyed(input, floor)
                    .process(new PassThrough(), FeatureRecordTypeInfoFactory.TYPE_INFO)
                    .name("keyed pass-through");
        }
        return normalization(data, finalStats).apply(input);
    }

    /**
     * {@code input} keyed for {@code floor}: as {@link Normalization#apply} keys it (in place at
     * parallelism 1, otherwise over a keyBy), or over a keyBy for {@link Floor#KEYBY_ONLY}.
     */
    private KeyedStream<FeatureRecord, String> keyed(DataStream<FeatureRecord> input, Floor floor) {
        return floor.overKeyBy(parallelism)
                ? input.keyBy(FeatureRecord::key, Types.STRING)
                : DataStreamUtils.reinterpretAsKeyedStream(input, FeatureRecord::key, Types.STRING);
    }

    /** Runs {@code records} records through the operator; returns the measured time. */
    RunTiming run(long records, PipelineData data) throws Exception {
        StreamExecutionEnvironment env = environment();
        pipeline(env, records, data, false).sinkTo(new CountingSink<>()).name("count");
        Probe.reset();
        long wallStart = System.nanoTime();
        env.execute("operator benchmark " + mode + " " + backend + " p" + parallelism);
        long wall = System.nanoTime() - wallStart;
        return new RunTiming(
                records, Probe.sunk(), Probe.elapsedNanos(), wall, Probe.taskCpuNanos());
    }

    /** Runs {@code records} records and keeps the outputs (and, in train mode, final stats). */
    Outputs runAndCollect(long records, PipelineData data) throws Exception {
        StreamExecutionEnvironment env = environment();
        boolean train = mode == Mode.TRAIN;
        SingleOutputStreamOperator<FeatureRecord> out = pipeline(env, records, data, train);
        Sink<FeatureRecord> recordSink = new MemorySink<>("records");
        out.sinkTo(recordSink).name("keep records");
        if (train) {
            out.getSideOutput(Normalization.FINAL_STATS)
                    .sinkTo(new MemorySink<>("final-stats"))
                    .name("keep final stats");
        }
        env.execute("operator benchmark check " + mode.id());
        Outputs outputs = new Outputs();
        for (FeatureRecord record : MemorySink.<FeatureRecord>take("records")) {
            outputs.records.put(record.timestamp(), record.values());
        }
        if (train) {
            for (Tuple2<String, RunningStats> stats :
                    MemorySink.<Tuple2<String, RunningStats>>take("final-stats")) {
                outputs.finalStats.put(stats.f0, stats.f1);
            }
        }
        return outputs;
    }

    /** What a checked run produced: normalized values by record id, final stats by key. */
    static final class Outputs {
        final Map<Long, double[]> records = new HashMap<>();
        final Map<String, RunningStats> finalStats = new HashMap<>();
    }

    /**
     * Emits every record unchanged: what the same job graph costs without any normalization or
     * state (the reference row of the benchmark).
     */
    static final class PassThrough
            extends KeyedProcessFunction<String, FeatureRecord, FeatureRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(
                FeatureRecord record, Context ctx, Collector<FeatureRecord> out) {
            out.collect(record);
        }
    }

    /**
     * Maps record index i to its record: key and values from {@link PipelineData}, the index as
     * timestamp (so outputs can be matched to inputs), no payload.
     */
    static final class GenerateRecords extends ProbedGenerator<FeatureRecord> {
        private static final long serialVersionUID = 1L;
        private static final byte[] NO_PAYLOAD = new byte[0];

        GenerateRecords(int keys, int features) {
            super(keys, features);
        }

        /**
         * A new record with its own values, as a decoder emits: the normalization may hold it and
         * normalizes its values in place (with object reuse on and keyed in place, it gets this
         * very object).
         */
        @Override
        FeatureRecord record(long i, PipelineData data) {
            return new FeatureRecord(
                    data.key(i), i, data.values(i).clone(), NO_PAYLOAD, Origin.none());
        }
    }
}
