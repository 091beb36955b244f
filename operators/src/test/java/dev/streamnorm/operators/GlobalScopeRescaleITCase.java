package dev.streamnorm.operators;

import static dev.streamnorm.operators.GlobalScopeData.times;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.GlobalScopeData.Layout;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Global scope restored at another parallelism, with records held and partials unanswered in the
 * savepoint: a job at parallelism 2 stops with a savepoint while subtask 0 is many batches ahead of
 * subtask 1 (subtask 0 has sent partials of batches that subtask 1 is still in, and holds their
 * records); a job at parallelism 1 resumes from it and stops with a savepoint in turn, holding the
 * records of its current batch with the first job's partials of later batches still unanswered; a
 * job at parallelism 2 resumes from that and reads to the end. Every record comes out exactly once,
 * normalized as the model of one key at parallelism 1 with the same batches does it, and the final
 * statistics are the model's.
 *
 * <p>The sources of the resumed jobs read the records the stopped jobs did not read, each subtask
 * in event-time order, so no record is late.
 */
class GlobalScopeRescaleITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            GlobalScopeRun.cluster(InMemoryReporter.createWithRetainedMetrics());

    private static final RecordShape SHAPE = RecordShape.of(3, 2);

    /** Interleaved event times: subtask 0 even, subtask 1 odd, 40 batches of 100 ms. */
    private static final Layout LAYOUT = new Layout(times(70_000, 2, 2000), times(70_001, 2, 2000));

    private static final Normalization GLOBAL =
            Normalization.builder()
                    .setMode(Mode.TRAIN)
                    .setShape(SHAPE)
                    .setAffine(
                            Affine.of(
                                    new double[] {1.5, 0.5, -2.0}, new double[] {0.25, -1.0, 3.0}))
                    .setMomentum(Momentum.of(0.1))
                    .setBatchInterval(Duration.ofMillis(100))
                    .setEmitFinalStats(true)
                    .setScope(Scope.GLOBAL)
                    .build();

    /** Record ids read per phase, and the latest event time each subtask read. */
    static final Set<Long> READ = ConcurrentHashMap.newKeySet();

    static final AtomicLongArray LATEST = new AtomicLongArray(2);
    static final AtomicLongArray COUNT = new AtomicLongArray(2);

    @TempDir Path savepoints;

    // The last phase collects the final statistics.
    private boolean collectFinalStats;
    private CloseableIterator<Tuple2<String, RunningStats>> finalStatsOfC;

    @Test
    void restoresAtParallelismOneThenTwoWithHeldRecordsAndUnansweredPartials() throws Exception {
        // Phase A, parallelism 2: subtask 1 slow; subtask 0 fast up to 1000 records, then slow.
        List<long[]> a = List.of(ids(0, 2000), ids(2000, 4000));
        JobClient jobA = start("a", a, new Pace(new int[] {1000, 0}, new int[] {10, 3}), null);
        awaitRead(1000, 100);
        String savepointA = stop(jobA);
        Set<Long> readA = new HashSet<>(READ);
        long latest0 = LATEST.get(0);
        long latest1 = LATEST.get(1);
        Map<Long, double[]> outA = CommittedOutputSink.outputs("a");
        // Subtask 0 had passed the end of subtask 1's current batch: it had sent its partial of
        // a batch that subtask 1 was still in, which no outcome could answer yet.
        long batch1 = latest1 - Math.floorMod(latest1, 100);
        assertThat(batch1 + 99).isLessThan(latest0 - 1);
        assertThat(outA.keySet()).as("emitted before the savepoint").isSubsetOf(readA);
        assertThat(outA).as("records held in savepoint A").hasSizeLessThan(readA.size());

        // Phase B, parallelism 1, from savepoint A: the rest in event-time order, slowly.
        List<Long> restB = unread(readA);
        READ.clear();
        JobClient jobB =
                start(
                        "b",
                        List.of(toArray(restB)),
                        new Pace(new int[] {0}, new int[] {2}),
                        savepointA);
        awaitRead(300);
        String savepointB = stop(jobB);
        Set<Long> readB = new HashSet<>(READ);
        Map<Long, double[]> outB = CommittedOutputSink.outputs("b");
        assertThat(outB.keySet()).isSubsetOf(union(readA, readB));
        long lastB = 0;
        for (long id : readB) {
            lastB = Math.max(lastB, LAYOUT.timestamp(id));
        }
        long batchB = lastB - Math.floorMod(lastB, 100);
        // Subtask 0 of phase A had sent partials of batches after phase B's current one.
        assertThat(latest0 - 1).isGreaterThanOrEqualTo(batchB + 100 + 99);

        // Phase C, parallelism 2, from savepoint B: the rest, alternating between the subtasks.
        Set<Long> readAB = union(readA, readB);
        List<Long> restC = unread(readAB);
        List<Long> c0 = new ArrayList<>();
        List<Long> c1 = new ArrayList<>();
        for (int i = 0; i < restC.size(); i++) {
            (i % 2 == 0 ? c0 : c1).add(restC.get(i));
        }
        READ.clear();
        collectFinalStats = true;
        JobClient jobC =
                start(
                        "c",
                        List.of(toArray(c0), toArray(c1)),
                        new Pace(new int[] {0, 0}, new int[] {0, 0}),
                        savepointB);
        Map<String, RunningStats> finalStats = new HashMap<>();
        try (CloseableIterator<Tuple2<String, RunningStats>> stats = finalStatsOfC) {
            stats.forEachRemaining(
                    entry -> assertThat(finalStats.put(entry.f0, entry.f1)).isNull());
        }
        jobC.getJobExecutionResult().get();
        Map<Long, double[]> outC = CommittedOutputSink.outputs("c");

        Map<Long, double[]> all = new HashMap<>(outA);
        for (Map<Long, double[]> out : List.of(outB, outC)) {
            for (Map.Entry<Long, double[]> e : out.entrySet()) {
                assertThat(all.put(e.getKey(), e.getValue()))
                        .as("record %s in two phases", e.getKey())
                        .isNull();
            }
        }
        GlobalReference reference = GlobalReference.train(GLOBAL, SHAPE, LAYOUT.records(SHAPE));
        GlobalReference.assertOutputs(all, reference.outputs, "rescaled global vs model");
        assertThat(finalStats).containsOnlyKeys(StatsTable.ANY_KEY);
        GlobalReference.assertClose(
                finalStats.get(StatsTable.ANY_KEY), reference.finalStats(), "final stats");
        assertThat(reference.finalStats().numBatchesTracked()).isEqualTo(40);
    }

    /**
     * Starts a job whose source subtask {@code s} reads the records {@code ids.get(s)} in that
     * order, at parallelism {@code ids.size()}, from {@code savepoint} if given.
     */
    private JobClient start(String name, List<long[]> ids, Pace pace, @Nullable String savepoint)
            throws Exception {
        COUNT.set(0, 0);
        COUNT.set(1, 0);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            // The sources of each phase are new (they read what is left).
            conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        int parallelism = ids.size();
        env.setParallelism(parallelism);
        long[] sizes = new long[parallelism];
        List<Long> byIndex = new ArrayList<>();
        for (int s = 0; s < parallelism; s++) {
            sizes[s] = ids.get(s).length;
            for (long id : ids.get(s)) {
                byIndex.add(id);
            }
        }
        long[] index = toArray(byIndex);
        WatermarkStrategy<Long> watermarks =
                WatermarkStrategy.<Long>forGenerator(
                                context -> new GlobalScopeData.PerEventWatermarks())
                        .withTimestampAssigner(
                                (i, previous) -> LAYOUT.timestamp(index[(int) (long) i]));
        SingleOutputStreamOperator<FeatureRecord> records =
                env.fromSource(new SubtaskSequenceSource(sizes), watermarks, "ids " + name)
                        .uid("ids-" + name)
                        .map(new ReadAt(index, pace))
                        .uid("read-" + name)
                        .name("read");
        SingleOutputStreamOperator<FeatureRecord> out = GLOBAL.apply(records);
        out.sinkTo(new CommittedOutputSink(name)).uid("sink-" + name).name("keep");
        if (collectFinalStats) {
            finalStatsOfC = out.getSideOutput(Normalization.FINAL_STATS).collectAsync();
        }
        return env.executeAsync("global scope rescale " + name);
    }

    private String stop(JobClient job) throws Exception {
        String path =
                job.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        job.getJobExecutionResult().get();
        return path;
    }

    /** Waits until subtask {@code s} has read {@code counts[s]} records. */
    private static void awaitRead(long... counts) throws InterruptedException {
        for (int s = 0; s < counts.length; s++) {
            while (COUNT.get(s) < counts[s]) {
                Thread.sleep(5);
            }
        }
    }

    private static long[] ids(long from, long to) {
        long[] ids = new long[(int) (to - from)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = from + i;
        }
        return ids;
    }

    /** The ids not in {@code read}, by event time. */
    private static List<Long> unread(Set<Long> read) {
        List<Long> rest = new ArrayList<>();
        for (long id = 0; id < LAYOUT.size(); id++) {
            if (!read.contains(id)) {
                rest.add(id);
            }
        }
        rest.sort((x, y) -> Long.compare(LAYOUT.timestamp(x), LAYOUT.timestamp(y)));
        return rest;
    }

    private static Set<Long> union(Set<Long> a, Set<Long> b) {
        Set<Long> union = new HashSet<>(a);
        union.addAll(b);
        return union;
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** How fast each subtask reads: {@code sleepMs[s]} per record after {@code fastFor[s]}. */
    static final class Pace implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final int[] fastFor;
        final int[] sleepMs;

        Pace(int[] fastFor, int[] sleepMs) {
            this.fastFor = fastFor;
            this.sleepMs = sleepMs;
        }
    }

    /** Source index to record; counts what each subtask read, at the pace given. */
    static final class ReadAt extends RichMapFunction<Long, FeatureRecord> {
        private static final long serialVersionUID = 1L;
        private final long[] index;
        private final Pace pace;
        private transient int subtask;
        private transient long seen;

        ReadAt(long[] index, Pace pace) {
            this.index = index;
            this.pace = pace;
        }

        @Override
        public void open(OpenContext openContext) {
            subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        }

        @Override
        public FeatureRecord map(Long i) throws Exception {
            long id = index[(int) (long) i];
            if (++seen > pace.fastFor[subtask] && pace.sleepMs[subtask] > 0) {
                Thread.sleep(pace.sleepMs[subtask]);
            }
            READ.add(id);
            LATEST.accumulateAndGet(subtask, LAYOUT.timestamp(id), Math::max);
            COUNT.incrementAndGet(subtask);
            return LAYOUT.record(id, SHAPE);
        }
    }
}
