package dev.streamnorm.bench.pipeline;

import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.ArgumentTrait;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.annotation.StateHint;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.types.Row;

/**
 * The floor of a SQL pipeline through a process table function: a function with set semantics
 * (PARTITION BY the key) that emits every row of the benchmark's table (id, k, vals) unchanged and
 * counts rows in one keyed value state, the least state {@code BATCH_NORM} touches per row (its
 * open batch's size; without TTL, as {@code BATCH_NORM}'s state). What it costs is Flink's, per
 * row: the conversion of the internal row to {@code Row} (the array boxed element by element), the
 * state read and write, and the conversion of the output back.
 */
@FunctionHint(output = @DataTypeHint("ROW<id BIGINT, vals ARRAY<DOUBLE NOT NULL>>"))
public class KeyedIdentityFunction extends ProcessTableFunction<Row> {
    private static final long serialVersionUID = 1L;

    /** Emits {@code input}'s id and values; counts the key's rows. */
    public void eval(
            @StateHint(type = @DataTypeHint("ROW<n BIGINT>"), ttl = "0") Row count,
            @ArgumentHint(ArgumentTrait.SET_SEMANTIC_TABLE) Row input) {
        Long n = (Long) count.getField(0);
        count.setField(0, n == null ? 1L : n + 1);
        collect(Row.of(input.getField(0), input.getField(2)));
    }
}
