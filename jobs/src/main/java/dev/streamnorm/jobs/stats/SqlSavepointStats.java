package dev.streamnorm.jobs.stats;

import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.sql.BatchNormSavepoint;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.util.Collector;

/**
 * Stats files out of savepoints of a SQL job's {@code BATCH_NORM} call, with the State Processor
 * API ({@link BatchNormSavepoint} says where the stats are). The key's text is the {@code PARTITION
 * BY} values joined by '|', as {@code BATCH_NORM} looks keys up in a stats file. A savepoint holds
 * no layer settings of a SQL call (the statement has them), so the file has none.
 */
public final class SqlSavepointStats {
    private static final TypeInformation<Tuple2<String, RunningStats>> ENTRY =
            Types.TUPLE(Types.STRING, RunningStatsTypeInfoFactory.TYPE_INFO);

    private SqlSavepointStats() {}

    /**
     * Reads the running stats of the {@code BATCH_NORM} call whose {@code uid} is {@code uid} from
     * the savepoint at {@code path}.
     *
     * @param keyTypes the SQL types of the call's {@code PARTITION BY} columns, in order, such as
     *     {@code "STRING"} or {@code "STRING, INT"}
     * @throws IllegalArgumentException if the types do not parse, or the savepoint holds no such
     *     operator or no stats
     */
    public static StatsFile read(String path, String uid, String keyTypes, StateBackend backend)
            throws Exception {
        RowType keyType = keyType(keyTypes);
        SavepointReader savepoint =
                SavepointReader.read(SavepointStats.environment(), path, backend);
        List<Tuple2<String, RunningStats>> keyed;
        try {
            keyed =
                    SavepointStats.collect(
                            savepoint.readKeyedState(
                                    OperatorIdentifier.forUid(uid),
                                    new Reader(keyType),
                                    InternalTypeInfo.of(keyType),
                                    ENTRY));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    path + ": no state of operator '" + uid + "': " + e.getMessage(), e);
        }
        if (keyed.isEmpty()) {
            throw new IllegalArgumentException(
                    path + ": operator '" + uid + "' holds no running stats");
        }
        keyed.sort(Comparator.comparing(entry -> entry.f0));
        Map<String, RunningStats> entries = new LinkedHashMap<>();
        for (Tuple2<String, RunningStats> entry : keyed) {
            entries.put(entry.f0, entry.f1);
        }
        return StatsFile.of(StatsTable.of(entries), null);
    }

    /** The row of the key columns' types {@code "T1, T2, ..."}. */
    static RowType keyType(String keyTypes) {
        LogicalType row;
        try {
            row =
                    LogicalTypeParser.parse(
                            "ROW<" + columns(keyTypes) + ">",
                            SqlSavepointStats.class.getClassLoader());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "key types '" + keyTypes + "' are not SQL types: " + e.getMessage(), e);
        }
        if (LogicalTypeChecks.hasNested(row, type -> type.is(LogicalTypeRoot.UNRESOLVED))) {
            throw new IllegalArgumentException(
                    "key types '" + keyTypes + "' are not SQL types: " + row.asSummaryString());
        }
        return (RowType) row;
    }

    /** {@code "T1, T2"} as fields {@code "k0 T1, k1 T2"} (the names do not matter). */
    private static String columns(String keyTypes) {
        String[] types = keyTypes.split(",(?![^(<]*[)>])");
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < types.length; i++) {
            fields.append(i == 0 ? "" : ", ").append('k').append(i).append(' ');
            fields.append(types[i].trim());
        }
        return fields.toString();
    }

    /** Emits each key's running stats with the key's text. */
    private static final class Reader
            extends KeyedStateReaderFunction<RowData, Tuple2<String, RunningStats>> {
        private static final long serialVersionUID = 1L;
        private final RowType keyType;
        private transient ListState<RunningStats> stats;

        Reader(RowType keyType) {
            this.keyType = keyType;
        }

        @Override
        public void open(OpenContext openContext) {
            stats = getRuntimeContext().getListState(BatchNormSavepoint.runningStats());
        }

        @Override
        public void readKey(RowData key, Context ctx, Collector<Tuple2<String, RunningStats>> out)
                throws Exception {
            Iterable<RunningStats> values = stats.get();
            if (values == null) {
                return;
            }
            for (RunningStats value : values) {
                out.collect(Tuple2.of(BatchNormSavepoint.keyText(key, keyType), value));
            }
        }
    }
}
