package dev.streamnorm.sql;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * The same rows through the DataStream operator and through SQL, at parallelism 1 so that every key
 * sees its rows in the same order in both: each result maps a row's id to its normalized values or
 * to its error code.
 */
final class Pipelines {
    private Pipelines() {}

    /** One input row: {@code id}, key {@code k}, features {@code vals}. */
    static final class Input {
        final long id;
        final String key;
        final double[] values;

        Input(long id, String key, double[] values) {
            this.id = id;
            this.key = key;
            this.values = values;
        }
    }

    /**
     * {@code count} rows over {@code keys} keys of {@code length} values, with every 97th row
     * non-finite and every 89th of the wrong length.
     */
    static List<Input> data(int count, int keys, int length, long seed) {
        Random random = new Random(seed);
        List<Input> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double[] values = new double[i % 89 == 88 ? length + 1 : length];
            for (int v = 0; v < values.length; v++) {
                values[v] = 3 * v - 2 + (v + 1) * random.nextGaussian();
            }
            if (i % 97 == 96) {
                values[0] = i % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
            }
            rows.add(new Input(i, "k" + random.nextInt(keys), values));
        }
        return rows;
    }

    /** The DataStream operator's result: id → double[] or error code. */
    static Map<Long, Object> dataStream(Normalization config, List<Input> data) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<FeatureRecord> records = new ArrayList<>();
        for (Input row : data) {
            records.add(
                    new FeatureRecord(
                            row.key,
                            time(row),
                            row.values.clone(),
                            new byte[0],
                            Origin.file("rows", row.id)));
        }
        DataStream<FeatureRecord> input =
                env.fromData(records, FeatureRecordTypeInfoFactory.TYPE_INFO);
        SingleOutputStreamOperator<FeatureRecord> out = config.apply(input);
        DataStream<Tuple> normalized =
                out.map(r -> new Tuple(r.origin().position(), r.values(), null));
        DataStream<Tuple> rejected =
                out.getSideOutput(Normalization.DEAD_LETTERS).map(Pipelines::ofLetter);
        Map<Long, Object> results = new HashMap<>();
        try (CloseableIterator<Tuple> it = normalized.union(rejected).executeAndCollect()) {
            while (it.hasNext()) {
                Tuple t = it.next();
                results.put(t.id, t.error != null ? t.error : t.values);
            }
        }
        return results;
    }

    private static Tuple ofLetter(DeadLetter letter) {
        return new Tuple(letter.origin().position(), null, letter.error().code());
    }

    /** The event time of a row: 37 ms per id. */
    static long time(Input row) {
        return row.id * 37;
    }

    /**
     * The result of {@code SELECT * FROM <call>} where the call reads table {@code features (id, k,
     * vals, t, ts)}, {@code ts} an event-time attribute ({@link #time}) with a watermark a day
     * behind: id → double[] or error code.
     */
    static Map<Long, Object> sql(String call, List<Input> data) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE streamnorm");
        List<Row> rows = new ArrayList<>();
        for (Input row : data) {
            rows.add(Row.of(row.id, row.key, row.values.clone(), time(row)));
        }
        TypeInformation<Row> type =
                Types.ROW_NAMED(
                        new String[] {"id", "k", "vals", "t"},
                        Types.LONG,
                        Types.STRING,
                        Types.PRIMITIVE_ARRAY(Types.DOUBLE),
                        Types.LONG);
        Schema schema =
                Schema.newBuilder()
                        .columnByExpression("ts", "TO_TIMESTAMP_LTZ(t, 3)")
                        .watermark("ts", "ts - INTERVAL '1' DAY")
                        .build();
        tables.createTemporaryView(
                "features", tables.fromDataStream(env.fromData(rows, type), schema));
        return collect(tables.executeSql("SELECT * FROM " + call));
    }

    /** The rows of a result with columns {@code id}, {@code vals} and {@code error}. */
    static Map<Long, Object> collect(TableResult result) throws Exception {
        List<String> columns = result.getResolvedSchema().getColumnNames();
        int id = columns.indexOf("id");
        int vals = columns.indexOf("vals");
        int error = columns.indexOf("error");
        Map<Long, Object> results = new HashMap<>();
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                Object code = row.getField(error);
                results.put(
                        (Long) row.getField(id),
                        code != null ? code : unbox((Object[]) row.getField(vals)));
            }
        }
        return results;
    }

    private static double[] unbox(Object[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = ((Number) values[i]).doubleValue();
        }
        return out;
    }

    /** A result row of the DataStream side. */
    static final class Tuple {
        public long id;
        public double[] values;
        public String error;

        public Tuple() {}

        Tuple(long id, double[] values, String error) {
            this.id = id;
            this.values = values;
            this.error = error;
        }
    }
}
