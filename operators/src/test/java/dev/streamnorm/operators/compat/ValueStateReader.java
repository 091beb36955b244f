package dev.streamnorm.operators.compat;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Reads one value state of a keyed operator from a savepoint with the State Processor API: every
 * key that has a value, with its value.
 */
final class ValueStateReader<T> extends KeyedStateReaderFunction<String, Tuple2<String, T>> {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final TypeInformation<T> type;
    private transient ValueState<T> state;

    private ValueStateReader(String name, TypeInformation<T> type) {
        this.name = name;
        this.type = type;
    }

    /**
     * The values of state {@code name} of operator {@code uid} in {@code savepoint}, restored with
     * {@code backend} and read with {@code type}'s serializer.
     */
    static <T> Map<String, T> read(
            StreamExecutionEnvironment env,
            Path savepoint,
            Backend backend,
            String uid,
            String name,
            TypeInformation<T> type)
            throws Exception {
        Map<String, T> values = new TreeMap<>();
        try (CloseableIterator<Tuple2<String, T>> read =
                SavepointReader.read(env, savepoint.toUri().toString(), backend.create())
                        .readKeyedState(
                                OperatorIdentifier.forUid(uid),
                                new ValueStateReader<>(name, type),
                                Types.STRING,
                                Types.TUPLE(Types.STRING, type))
                        .executeAndCollect("read " + name + " with " + backend.id())) {
            read.forEachRemaining(entry -> values.put(entry.f0, entry.f1));
        }
        return values;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>(name, type));
    }

    @Override
    public void readKey(String key, Context ctx, Collector<Tuple2<String, T>> out)
            throws Exception {
        T value = state.value();
        if (value != null) {
            out.collect(Tuple2.of(key, value));
        }
    }
}
