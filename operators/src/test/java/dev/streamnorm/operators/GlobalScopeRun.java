package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.GlobalScopeData.Layout;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

/**
 * One MiniCluster run of a normalization over a {@link Layout}: outputs by record id, final stats
 * by key, dead letters, the stream graph, and the normalizing operator's counters per subtask.
 */
final class GlobalScopeRun {
    final Map<Long, double[]> outputs = new HashMap<>();
    final Map<String, RunningStats> finalStats = new HashMap<>();
    int collected;
    int deadLetters;
    long restarts;
    StreamGraph graph;
    JobID job;
    private InMemoryReporter reporter;

    /** A cluster of one task manager with two slots, reporting its metrics to {@code reporter}. */
    static MiniClusterExtension cluster(InMemoryReporter reporter) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(reporter.addToConfiguration(new Configuration()))
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    static GlobalScopeRun of(
            InMemoryReporter reporter,
            Layout layout,
            RecordShape shape,
            Normalization config,
            int parallelism)
            throws Exception {
        return of(reporter, layout, shape, config, parallelism, new Configuration(), null);
    }

    /**
     * With {@code before} (a map ahead of the normalization on every source subtask) the job
     * checkpoints every 200 ms, and the collected results are exactly once across restarts.
     */
    static GlobalScopeRun of(
            InMemoryReporter reporter,
            Layout layout,
            RecordShape shape,
            Normalization config,
            int parallelism,
            Configuration extra,
            @Nullable MapFunction<FeatureRecord, FeatureRecord> before)
            throws Exception {
        return of(
                reporter,
                layout,
                shape,
                config,
                parallelism,
                extra,
                before,
                GlobalScopeData.perEventWatermarks(layout));
    }

    /** As above, with the sources' event time and watermarks from {@code watermarks}. */
    static GlobalScopeRun of(
            InMemoryReporter reporter,
            Layout layout,
            RecordShape shape,
            Normalization config,
            int parallelism,
            Configuration extra,
            @Nullable MapFunction<FeatureRecord, FeatureRecord> before,
            WatermarkStrategy<Long> watermarks)
            throws Exception {
        Configuration conf = new Configuration(extra);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        if (before != null) {
            env.enableCheckpointing(200);
        }
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        DataStream<FeatureRecord> records = GlobalScopeData.source(env, layout, shape, watermarks);
        if (before != null) {
            records =
                    records.map(before)
                            .setParallelism(layout.parallelism())
                            .name("before normalization");
        }
        SingleOutputStreamOperator<FeatureRecord> out = config.apply(records);
        // With checkpointing on, these iterators are exactly once across restarts.
        CloseableIterator<FeatureRecord> normalized = out.collectAsync();
        CloseableIterator<Tuple2<String, RunningStats>> stats =
                out.getSideOutput(Normalization.FINAL_STATS).collectAsync();
        CloseableIterator<DeadLetter> dead =
                out.getSideOutput(Normalization.DEAD_LETTERS).collectAsync();
        GlobalScopeRun run = new GlobalScopeRun();
        run.graph = env.getStreamGraph(false);
        JobClient client = env.executeAsync("global scope test");
        run.job = client.getJobID();
        run.reporter = reporter;
        try (normalized;
                stats;
                dead) {
            while (normalized.hasNext()) {
                FeatureRecord record = normalized.next();
                double[] previous = run.outputs.put(GlobalScopeData.id(record), record.values());
                assertThat(previous).as("record %s twice", record).isNull();
                run.collected++;
            }
            while (stats.hasNext()) {
                Tuple2<String, RunningStats> entry = stats.next();
                assertThat(run.finalStats.put(entry.f0, entry.f1)).isNull();
            }
            while (dead.hasNext()) {
                dead.next();
                run.deadLetters++;
            }
        }
        client.getJobExecutionResult().get();
        run.restarts =
                reporter.findJobMetricGroups(run.job, "numRestarts").stream()
                        .mapToLong(t -> ((Gauge<Long>) t.f2).getValue())
                        .max()
                        .orElse(-1);
        return run;
    }

    /** A counter of the normalizing operator, per subtask. */
    long[] perSubtask(String metric) {
        List<OperatorMetricGroup> groups = reporter.findOperatorMetricGroups(job, "normalize.*");
        long[] counts = new long[2];
        for (OperatorMetricGroup group : groups) {
            int subtask = Integer.parseInt(group.getAllVariables().get("<subtask_index>"));
            Counter counter = (Counter) reporter.getMetricsByGroup(group).get(metric);
            counts[subtask] += counter.getCount();
        }
        return counts;
    }

    /**
     * Records normalized per subtask that read them. A subtask whose input ends hands the records
     * it still holds to a running subtask, which normalizes them ({@code handedOffRecords}, {@code
     * adoptedRecords}); every record handed off is adopted once.
     */
    long[] normalizedByReader() {
        long[] normalized = perSubtask("recordsNormalized");
        long[] handedOff = perSubtask("handedOffRecords");
        long[] adopted = perSubtask("adoptedRecords");
        assertThat(adopted[0] + adopted[1])
                .as("records adopted vs handed off")
                .isEqualTo(handedOff[0] + handedOff[1]);
        long[] byReader = new long[normalized.length];
        for (int s = 0; s < byReader.length; s++) {
            byReader[s] = normalized[s] - adopted[s] + handedOff[s];
        }
        return byReader;
    }

    /** A counter of the merger (or of the keyed operator), summed. */
    long metric(String metric) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : reporter.findMetrics(job, metric).entrySet()) {
            if (e.getKey().endsWith("." + metric)) {
                sum += ((Counter) e.getValue()).getCount();
            }
        }
        return sum;
    }
}
