package dev.streamnorm.jobs.stats;

import dev.streamnorm.operators.NormalizationState;
import dev.streamnorm.operators.ScalerStatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import dev.streamnorm.state.typeutils.ScalerStatsTypeInfoFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Scaler stats files out of and into savepoints of a scaler norm's operator (keyed state {@link
 * NormalizationState#SCALER_STATS}), with the State Processor API. A savepoint holds the
 * statistics, not the scikit-learn parameters: the caller gives those (the job's options).
 */
public final class SavepointScalerStats {
    private static final TypeInformation<Tuple2<String, ScalerStats>> ENTRY =
            Types.TUPLE(Types.STRING, ScalerStatsTypeInfoFactory.TYPE_INFO);

    private SavepointScalerStats() {}

    /**
     * Each key's scaler statistics that the operator {@code uid} keeps in the savepoint at {@code
     * path}, sorted by key; empty if it keeps none (a batch-norm operator).
     */
    public static Map<String, ScalerStats> read(String path, String uid, StateBackend backend)
            throws Exception {
        StreamExecutionEnvironment env = SavepointStats.environment();
        List<Tuple2<String, ScalerStats>> keyed =
                SavepointStats.collect(
                        SavepointReader.read(env, path, backend)
                                .readKeyedState(
                                        OperatorIdentifier.forUid(uid),
                                        new Reader(),
                                        Types.STRING,
                                        ENTRY));
        Map<String, ScalerStats> stats = new TreeMap<>();
        for (Tuple2<String, ScalerStats> entry : keyed) {
            stats.put(entry.f0, entry.f1);
        }
        return stats;
    }

    /**
     * The stats file of {@code stats} (from {@link #read}) fitted with {@code params}.
     *
     * @throws IllegalArgumentException if the keys hold statistics of different scalers
     */
    public static ScalerStatsFile file(Map<String, ScalerStats> stats, ScalerParams params) {
        ScalerKind kind = stats.values().iterator().next().kind();
        for (Map.Entry<String, ScalerStats> e : stats.entrySet()) {
            if (e.getValue().kind() != kind) {
                throw new IllegalArgumentException(
                        "key '" + e.getKey() + "' holds " + e.getValue().kind().id() + " stats");
            }
        }
        return ScalerStatsFile.of(kind, params, null, new LinkedHashMap<>(stats));
    }

    /**
     * Writes {@code file}'s per-key statistics as a new savepoint at {@code path} that a job with
     * the scaler operator {@code uid} starts from.
     *
     * @throws IllegalArgumentException if an entry has nothing to resume from, or is {@code *}
     */
    public static void write(ScalerStatsFile file, String path, String uid, int maxParallelism)
            throws Exception {
        List<Tuple2<String, ScalerStats>> entries = new ArrayList<>();
        for (String key : file.table.keys()) {
            if (key.equals(StatsTable.ANY_KEY)) {
                throw new IllegalArgumentException(
                        "the '*' entry of a scaler is served with --stats FILE, not from a"
                                + " savepoint");
            }
            entries.add(Tuple2.of(key, file.table.resume(file.table.lookupExact(key))));
        }
        StreamExecutionEnvironment env = SavepointStats.environment();
        SavepointWriter.newSavepoint(env, new HashMapStateBackend(), maxParallelism)
                .withOperator(
                        OperatorIdentifier.forUid(uid),
                        OperatorTransformation.bootstrapWith(env.fromData(entries, ENTRY))
                                .keyBy(entry -> entry.f0, Types.STRING)
                                .transform(new Bootstrap()))
                .write(path);
        env.execute("streamnorm stats import");
        Map<String, ScalerStats> written = read(path, uid, new HashMapStateBackend());
        if (written.size() != entries.size()) {
            throw new IllegalStateException(
                    "the savepoint written holds "
                            + written.size()
                            + " entries, expected "
                            + entries.size());
        }
    }

    /** Reads each key's scaler statistics. */
    private static final class Reader
            extends KeyedStateReaderFunction<String, Tuple2<String, ScalerStats>> {
        private static final long serialVersionUID = 1L;

        @Nullable private transient ValueState<ScalerStats> stats;

        @Override
        public void open(OpenContext openContext) {
            stats = getRuntimeContext().getState(NormalizationState.scalerStats());
        }

        @Override
        public void readKey(String key, Context ctx, Collector<Tuple2<String, ScalerStats>> out)
                throws Exception {
            ScalerStats value = stats.value();
            if (value != null) {
                out.collect(Tuple2.of(key, value));
            }
        }
    }

    /** Writes each key's scaler statistics. */
    private static final class Bootstrap
            extends KeyedStateBootstrapFunction<String, Tuple2<String, ScalerStats>> {
        private static final long serialVersionUID = 1L;

        private transient ValueState<ScalerStats> stats;

        @Override
        public void open(OpenContext openContext) {
            stats = getRuntimeContext().getState(NormalizationState.scalerStats());
        }

        @Override
        public void processElement(Tuple2<String, ScalerStats> entry, Context ctx)
                throws Exception {
            stats.update(entry.f1);
        }
    }
}
