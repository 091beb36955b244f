package dev.streamnorm.jobs.stats;

import dev.streamnorm.jobs.pipeline.LocalFlink;
import dev.streamnorm.operators.LayerSettings;
import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Stats files out of and into savepoints of the batch-norm operator, with the State Processor API:
 * the keyed running stats, the {@code *} entry and the layer settings ({@link NormalizationState}).
 * Keys are written in sorted order, so export → import → export gives the same file.
 */
public final class SavepointStats {
    private static final TypeInformation<Tuple2<String, RunningStats>> ENTRY =
            Types.TUPLE(Types.STRING, RunningStatsTypeInfoFactory.TYPE_INFO);

    private SavepointStats() {}

    /**
     * Reads the stats that the operator {@code uid} keeps in the savepoint (or retained checkpoint)
     * at {@code path}.
     *
     * @param backend the backend that can read the snapshot: HashMap reads canonical savepoints
     * @throws IllegalArgumentException if the savepoint holds no such operator or no stats
     */
    public static StatsFile read(String path, String uid, StateBackend backend) throws Exception {
        StreamExecutionEnvironment env = environment();
        SavepointReader savepoint = SavepointReader.read(env, path, backend);
        OperatorIdentifier operator = OperatorIdentifier.forUid(uid);
        List<Tuple2<String, RunningStats>> keyed;
        try {
            keyed =
                    collect(
                            savepoint.readKeyedState(
                                    operator, new RunningStatsReader(), Types.STRING, ENTRY));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    path + ": no state of operator '" + uid + "': " + e.getMessage(), e);
        }
        RunningStats anyKey =
                first(
                        collect(
                                savepoint.readUnionState(
                                        operator,
                                        NormalizationState.ANY_KEY_STATS,
                                        RunningStatsTypeInfoFactory.TYPE_INFO)));
        LayerSettings settings =
                first(
                        collect(
                                savepoint.readUnionState(
                                        operator,
                                        NormalizationState.LAYER_SETTINGS,
                                        LayerSettings.TYPE_INFO)));
        Map<String, RunningStats> entries = new LinkedHashMap<>();
        if (anyKey != null) {
            entries.put(StatsTable.ANY_KEY, anyKey);
        }
        keyed.sort(Comparator.comparing(entry -> entry.f0));
        for (Tuple2<String, RunningStats> entry : keyed) {
            entries.put(entry.f0, entry.f1);
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(
                    path + ": operator '" + uid + "' holds no running stats");
        }
        return StatsFile.of(StatsTable.of(entries), settings);
    }

    /**
     * Writes {@code file} as a new savepoint at {@code path} that a job with the operator {@code
     * uid} starts from (maximum parallelism {@code maxParallelism}, as the job's).
     */
    public static void write(StatsFile file, String path, String uid, int maxParallelism)
            throws Exception {
        StreamExecutionEnvironment env = environment();
        List<Tuple2<String, RunningStats>> entries = new ArrayList<>();
        for (String key : file.stats.keys()) {
            entries.add(Tuple2.of(key, file.stats.lookupExact(key)));
        }
        DataStream<Tuple2<String, RunningStats>> stream = env.fromData(entries, ENTRY);
        StateBootstrapTransformation<Tuple2<String, RunningStats>> transformation =
                OperatorTransformation.bootstrapWith(stream)
                        .keyBy(entry -> entry.f0, Types.STRING)
                        .transform(new RunningStatsBootstrap(file.settings()));
        SavepointWriter.newSavepoint(env, new HashMapStateBackend(), maxParallelism)
                .withOperator(OperatorIdentifier.forUid(uid), transformation)
                .write(path);
        env.execute("streamnorm stats import");
        // The writer's task can fail without failing the job (for example on Java 17 without
        // Flink's --add-opens flags): read the savepoint back rather than trust it.
        StatsFile written;
        try {
            written = read(path, uid, new HashMapStateBackend());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the savepoint written holds no stats", e);
        }
        if (!written.stats.keys().equals(file.stats.keys())) {
            throw new IllegalStateException(
                    "the savepoint written holds "
                            + written.stats.keys().size()
                            + " entries, expected "
                            + file.stats.keys().size());
        }
    }

    /**
     * The environment of the State Processor API jobs: one subtask, and plain snapshot files (the
     * writer cannot bootstrap state through file merging or the changelog backend); run locally, on
     * loopback only.
     */
    static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.FILE_MERGING_ENABLED, false);
        conf.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, false);
        StreamExecutionEnvironment env = LocalFlink.environment(conf);
        env.setParallelism(1);
        return env;
    }

    static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> values = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(values::add);
        }
        return values;
    }

    @Nullable
    private static <T> T first(List<T> values) {
        return values.isEmpty() ? null : values.get(0);
    }
}
