package dev.streamnorm.sql;

import static dev.streamnorm.sql.NormSignature.FEATURES;
import static org.apache.flink.table.types.logical.utils.LogicalTypeChecks.getPrecision;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.internal.RecordCheck;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeUtils;
import org.apache.flink.types.ColumnList;
import org.apache.flink.types.Row;

/**
 * One call of a normalization function, validated from its arguments when the statement is planned:
 * the normalization, the feature columns, and the layout of the output row.
 *
 * <p>The output row is the input row without its {@code PARTITION BY} columns (Flink puts those
 * first), the feature columns normalized, then {@code error STRING}.
 */
final class NormCall implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The name of the output column holding a row's error code (NULL when normalized). */
    static final String ERROR_COLUMN = "error";

    final Normalization config;
    final FeatureColumns features;

    /** Input positions of the {@code PARTITION BY} columns. */
    final int[] keyColumns;

    /** Input positions of the output row's columns before {@code error}. */
    final int[] outputColumns;

    /** Whether {@code on_time} names an event-time column. */
    final boolean eventTime;

    /** Input position of the {@code on_time} column, or -1 (known when code is generated). */
    final int timeColumn;

    /** The type of the input row. */
    private final RowType inputType;

    /** Per output column before {@code error}: how to read it from the input row. */
    private final RowData.FieldGetter[] outputGetters;

    /** Per key column: how to read it from the input row. */
    private final RowData.FieldGetter[] keyGetters;

    /** Per input column: its converter between the {@code Row} value and Flink's internal one. */
    @Nullable private transient DataStructureConverter<Object, Object>[] converters;

    private NormCall(
            Normalization config,
            FeatureColumns features,
            int[] keyColumns,
            int[] outputColumns,
            boolean eventTime,
            int timeColumn,
            RowType inputType) {
        this.config = config;
        this.features = features;
        this.keyColumns = keyColumns;
        this.outputColumns = outputColumns;
        this.eventTime = eventTime;
        this.timeColumn = timeColumn;
        this.inputType = inputType;
        this.keyGetters = getters(inputType, keyColumns);
        this.outputGetters = getters(inputType, outputColumns);
    }

    private static RowData.FieldGetter[] getters(RowType row, int[] positions) {
        RowData.FieldGetter[] getters = new RowData.FieldGetter[positions.length];
        for (int i = 0; i < positions.length; i++) {
            getters[i] = RowData.createFieldGetter(row.getTypeAt(positions[i]), positions[i]);
        }
        return getters;
    }

    /**
     * Validates a call of {@code norm}'s function.
     *
     * @param statsFromSavepoint whether the job restores state (eval mode may then go without a
     *     stats file)
     * @throws IllegalArgumentException with a message naming the argument at fault
     */
    static NormCall of(
            Norm norm, NormSignature signature, CallContext context, boolean statsFromSavepoint) {
        CallArguments args = new CallArguments(signature, context);
        TableSemantics table =
                context.getTableSemantics(0)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "argument 'input' must be a table: TABLE name"));
        RowType row = inputType(table);
        ColumnList names = args.value(FEATURES, ColumnList.class);
        if (names == null) {
            throw new IllegalArgumentException(
                    "argument 'features' is required: DESCRIPTOR(column, ...)");
        }
        FeatureColumns features;
        try {
            features = FeatureColumns.resolve(row, names.getNames());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("argument 'features' " + e.getMessage(), e);
        }
        int[] keys = norm == Norm.BATCH ? table.partitionByColumns() : new int[0];
        for (int key : keys) {
            if (features.contains(key)) {
                throw new IllegalArgumentException(
                        "argument 'features' names the PARTITION BY column '"
                                + row.getFieldNames().get(key)
                                + "'");
            }
        }
        // Planning sees the on_time argument; code generation sees the table's time column.
        int onTime = signature.onTimePosition();
        boolean eventTime =
                table.timeColumn() >= 0
                        || (onTime < context.getArgumentDataTypes().size()
                                && !context.isArgumentNull(onTime));
        Normalization config =
                CallNormalization.of(norm, args, features, eventTime, statsFromSavepoint);
        return new NormCall(
                config,
                features,
                keys,
                outputColumns(row, keys),
                eventTime,
                table.timeColumn(),
                row);
    }

    /** The output row type of a call (see the class comment). */
    static DataType outputType(NormCall call, RowType input) {
        List<DataTypes.Field> fields = new ArrayList<>();
        for (int position : call.outputColumns) {
            LogicalType type = input.getTypeAt(position);
            DataType out =
                    call.features.contains(position)
                            ? call.features.outputType(position, type)
                            : DataTypes.of(LogicalTypeUtils.removeTimeAttributes(type));
            fields.add(DataTypes.FIELD(input.getFieldNames().get(position), out));
        }
        fields.add(DataTypes.FIELD(ERROR_COLUMN, DataTypes.STRING()));
        return DataTypes.ROW(fields).bridgedTo(RowData.class);
    }

    /**
     * The feature values of {@code input} (a row as the function receives it) if it can be
     * normalized with {@code expectedLength} values (negative: any), else null after recording the
     * reason in {@code error[0]}.
     */
    @Nullable
    double[] read(Row input, int expectedLength, ErrorCode[] error) {
        return check(features.read(input, error), expectedLength, error);
    }

    /** As {@link #read(Row, int, ErrorCode[])}, for a row in Flink's internal form. */
    @Nullable
    double[] read(RowData input, int expectedLength, ErrorCode[] error) {
        return check(features.read(input, error), expectedLength, error);
    }

    @Nullable
    private double[] check(@Nullable double[] values, int expectedLength, ErrorCode[] error) {
        if (values == null) {
            return null;
        }
        DeadLetter rejected =
                RecordCheck.check(
                        FeatureRecord.of("", FeatureRecord.NO_TIMESTAMP, values),
                        expectedLength,
                        config.shape() != null ? config.shape() : "of the key's first row");
        if (rejected != null) {
            error[0] = rejected.error();
            return null;
        }
        return values;
    }

    /**
     * {@code input} in Flink's internal form, its feature array (if the features are one array
     * column) made of {@code values}, which must not change afterwards (null: NULL).
     */
    RowData internal(Row input, @Nullable double[] values) {
        GenericRowData row = new GenericRowData(input.getArity());
        for (int i = 0; i < row.getArity(); i++) {
            row.setField(
                    i,
                    features.columnChannels() < 0 && features.contains(i)
                            ? features.valueOf(i, values)
                            : converters[i].toInternalOrNull(input.getField(i)));
        }
        return row;
    }

    /**
     * The output row of {@code input}: normalized {@code values}, or NULL features and the error.
     * Its other columns are the input's values, which stay valid as long as {@code input} does.
     */
    RowData output(RowData input, @Nullable double[] values, @Nullable ErrorCode error) {
        GenericRowData out = new GenericRowData(outputColumns.length + 1);
        for (int i = 0; i < outputColumns.length; i++) {
            int position = outputColumns[i];
            out.setField(
                    i,
                    features.contains(position)
                            ? features.valueOf(position, values)
                            : outputGetters[i].getFieldOrNull(input));
        }
        out.setField(
                outputColumns.length, error == null ? null : StringData.fromString(error.code()));
        return out;
    }

    /** The event time of {@code input} in epoch milliseconds (its {@code on_time} column). */
    long time(RowData input) {
        return input.getTimestamp(timeColumn, getPrecision(inputType.getTypeAt(timeColumn)))
                .getMillisecond();
    }

    /** The type of the input row. */
    RowType inputType() {
        return inputType;
    }

    /** Opens the converters of the input columns with the job's class loader. */
    @SuppressWarnings("unchecked")
    void open(ClassLoader classLoader) {
        converters = new DataStructureConverter[inputType.getFieldCount()];
        for (int i = 0; i < converters.length; i++) {
            converters[i] =
                    (DataStructureConverter<Object, Object>)
                            DataStructureConverters.getConverter(
                                    DataTypes.of(inputType.getTypeAt(i)));
            converters[i].open(classLoader);
        }
    }

    /** The text of a row's key: its PARTITION BY values, joined by '|' if several. */
    String key(RowData input) {
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < keyColumns.length; i++) {
            Object value =
                    converters[keyColumns[i]].toExternalOrNull(keyGetters[i].getFieldOrNull(input));
            key.append(i == 0 ? "" : "|").append(value);
        }
        return key.toString();
    }

    /** The row type of the table argument. */
    static RowType inputType(TableSemantics table) {
        return (RowType) table.dataType().getLogicalType();
    }

    private static int[] outputColumns(RowType row, int[] keys) {
        List<Integer> columns = new ArrayList<>();
        for (int i = 0; i < row.getFieldCount(); i++) {
            boolean key = false;
            for (int k : keys) {
                key |= k == i;
            }
            if (!key) {
                columns.add(i);
            }
        }
        return columns.stream().mapToInt(Integer::intValue).toArray();
    }
}
