package dev.streamnorm.bench.pipeline;

import dev.streamnorm.operators.Mode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * SQL {@code BATCH_NORM} train mode against the DataStream operator's train pipeline, same records
 * (those of {@link OperatorBenchmark}: 1000 keys, 64 features, batches of 32), same run: records
 * per CPU-second of the task threads, and their ratio per repetition (bar ≥ 0.5). Each repetition
 * also runs the floor of any SQL pipeline through a process table function on the same table,
 * {@link KeyedIdentityFunction} (rows out unchanged, one keyed value state): no SQL function can
 * beat its ratio.
 *
 * <pre>
 * bench/pipeline-bench sql [--records 1000000] [--reps 3] [--keys 1000] [--features 64]
 * </pre>
 */
public final class SqlTrainBenchmark {
    static final double BAR = 0.5;

    private SqlTrainBenchmark() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        long records = args.longValue("records", 1_000_000);
        int reps = args.intValue("reps", 3);
        int keys = args.intValue("keys", 1000);
        int features = args.intValue("features", 64);
        PipelineData data = new PipelineData(keys, features);
        OperatorJob dataStream = new OperatorJob(keys, features, Mode.TRAIN, "hashmap", 1, true);
        // Warm-up of both sides, not counted.
        dataStream.run(Math.min(records, 300_000), data);
        runSql(Math.min(records, 300_000), keys, features, batchNorm(features));
        runSql(Math.min(records, 300_000), keys, features, IDENTITY);
        List<Double> ratios = new ArrayList<>();
        List<Double> floors = new ArrayList<>();
        List<Double> ofFloor = new ArrayList<>();
        for (int rep = 1; rep <= reps; rep++) {
            RunTiming flink = dataStream.run(records, data);
            RunTiming sql = runSql(records, keys, features, batchNorm(features));
            RunTiming identity = runSql(records, keys, features, IDENTITY);
            double ratio = sql.recordsPerCpuSecond() / flink.recordsPerCpuSecond();
            double floor = identity.recordsPerCpuSecond() / flink.recordsPerCpuSecond();
            ratios.add(ratio);
            floors.add(floor);
            ofFloor.add(ratio / floor);
            System.out.printf(
                    Locale.ROOT,
                    "rep %d: datastream %,.0f rec/CPU-s (%,.0f rec/s), sql %,.0f rec/CPU-s"
                            + " (%,.0f rec/s), sql/datastream %.3f; identity PTF %,.0f rec/CPU-s,"
                            + " identity/datastream %.3f%n",
                    rep,
                    flink.recordsPerCpuSecond(),
                    flink.recordsPerSecond(),
                    sql.recordsPerCpuSecond(),
                    sql.recordsPerSecond(),
                    ratio,
                    identity.recordsPerCpuSecond(),
                    floor);
        }
        double median = median(ratios);
        System.out.printf(
                Locale.ROOT,
                "== train, hashmap, p=1, %,d records: SQL / DataStream records per CPU-second,"
                        + " median of %d: %.3f (bar >= %.1f: %s)%n",
                records,
                reps,
                median,
                BAR,
                median >= BAR ? "met" : "NOT met");
        System.out.printf(
                Locale.ROOT,
                "== floor: identity PTF / DataStream records per CPU-second, median of %d: %.3f;"
                        + " SQL / identity PTF, median: %.3f%n",
                reps,
                median(floors),
                median(ofFloor));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** The benchmark's query: BATCH_NORM train, batches of {@link OperatorJob#BATCH_SIZE}. */
    private static String batchNorm(int features) {
        return "SELECT * FROM BATCH_NORM(input => TABLE features PARTITION BY k,"
                + " features => DESCRIPTOR(vals), mode => 'train', batch_size => "
                + OperatorJob.BATCH_SIZE
                + ", shape => '"
                + features
                + "')";
    }

    /** The floor's query: {@link KeyedIdentityFunction} on the same table. */
    private static final String IDENTITY =
            "SELECT * FROM KEYED_IDENTITY(input => TABLE features PARTITION BY k)";

    /** A SQL pipeline: the same records as rows → {@code query} → a counting sink. */
    static RunTiming runSql(long records, int keys, int features, String query) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE streamnorm");
        tables.createTemporarySystemFunction("KEYED_IDENTITY", KeyedIdentityFunction.class);
        tables.createTemporaryView(
                "features",
                tables.fromDataStream(
                        env.fromSequence(0, records - 1)
                                .map(new GenerateRows(keys, features), ROWS)
                                .name("generate rows")));
        Table out = tables.sqlQuery(query);
        // The sink takes Flink's internal rows, as a SQL connector's sink does.
        tables.toDataStream(
                        out,
                        out.getResolvedSchema().toPhysicalRowDataType().bridgedTo(RowData.class))
                .sinkTo(new CountingSink<>())
                .name("count");
        Probe.reset();
        long wallStart = System.nanoTime();
        env.execute("sql benchmark train");
        long wall = System.nanoTime() - wallStart;
        return new RunTiming(
                records, Probe.sunk(), Probe.elapsedNanos(), wall, Probe.taskCpuNanos());
    }

    /**
     * The rows of table {@code features}, in Flink's internal form, as a SQL connector's source
     * emits them (no conversion from {@code Row}).
     */
    private static final InternalTypeInfo<RowData> ROWS =
            InternalTypeInfo.of(
                    RowType.of(
                            new LogicalType[] {
                                new BigIntType(false),
                                new VarCharType(VarCharType.MAX_LENGTH),
                                new ArrayType(new DoubleType(false))
                            },
                            new String[] {"id", "k", "vals"}));

    /** Record i as a row (id, key, values), from {@link PipelineData} like the operator's. */
    static final class GenerateRows extends ProbedGenerator<RowData> {
        private static final long serialVersionUID = 1L;

        GenerateRows(int keys, int features) {
            super(keys, features);
        }

        @Override
        RowData record(long i, PipelineData data) {
            return GenericRowData.of(
                    i, StringData.fromString(data.key(i)), new GenericArrayData(data.values(i)));
        }
    }
}
