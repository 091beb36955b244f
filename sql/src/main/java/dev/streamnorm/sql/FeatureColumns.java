package dev.streamnorm.sql;

import dev.streamnorm.operators.ErrorCode;
import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryArrayData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;

/**
 * The feature columns that {@code features => DESCRIPTOR(...)} names: one {@code ARRAY<DOUBLE>} or
 * {@code ARRAY<FLOAT>} column holding a record's C·L values, or several numeric columns, each one
 * channel.
 *
 * <p>Normalized values keep their column's type, nullable: an array of doubles or floats stays one,
 * a {@code FLOAT} column stays {@code FLOAT}, and every other numeric column becomes {@code DOUBLE}
 * (a normalized value is no integer).
 */
final class FeatureColumns implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Positions of the feature columns in the input row. */
    private final int[] positions;

    /** One array column (else one numeric column per channel). */
    private final boolean array;

    /** Per feature column (or for the array's elements): whether values are floats. */
    private final boolean[] floats;

    /** Per feature column: its type (for an array column, the array's). */
    private final LogicalType[] types;

    private FeatureColumns(int[] positions, boolean array, boolean[] floats, LogicalType[] types) {
        this.positions = positions;
        this.array = array;
        this.floats = floats;
        this.types = types;
    }

    /**
     * Resolves {@code names} against the input row.
     *
     * @throws IllegalArgumentException naming the column at fault
     */
    static FeatureColumns resolve(RowType input, List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names no column");
        }
        int[] positions = new int[names.size()];
        boolean[] floats = new boolean[names.size()];
        LogicalType[] types = new LogicalType[names.size()];
        for (int i = 0; i < positions.length; i++) {
            String name = names.get(i);
            int position = input.getFieldNames().indexOf(name);
            if (position < 0) {
                throw new IllegalArgumentException(
                        "column '" + name + "' is not a column of the input table");
            }
            for (int j = 0; j < i; j++) {
                if (positions[j] == position) {
                    throw new IllegalArgumentException("names column '" + name + "' twice");
                }
            }
            positions[i] = position;
            LogicalType type = input.getTypeAt(position);
            types[i] = type;
            if (type.is(LogicalTypeRoot.ARRAY)) {
                LogicalType element = ((ArrayType) type).getElementType();
                if (names.size() > 1) {
                    throw new IllegalArgumentException(
                            "column '"
                                    + name
                                    + "' is an array: name one ARRAY column or several numeric"
                                    + " columns");
                }
                if (!element.is(LogicalTypeRoot.DOUBLE) && !element.is(LogicalTypeRoot.FLOAT)) {
                    throw new IllegalArgumentException(
                            "column '"
                                    + name
                                    + "' is "
                                    + type.asSummaryString()
                                    + "; an array of features must be ARRAY<DOUBLE> or"
                                    + " ARRAY<FLOAT>");
                }
                floats[i] = element.is(LogicalTypeRoot.FLOAT);
                return new FeatureColumns(positions, true, floats, types);
            }
            if (!type.is(LogicalTypeFamily.NUMERIC)) {
                throw new IllegalArgumentException(
                        "column '"
                                + name
                                + "' is "
                                + type.asSummaryString()
                                + "; features must be numeric columns or one ARRAY<DOUBLE> /"
                                + " ARRAY<FLOAT> column");
            }
            floats[i] = type.is(LogicalTypeRoot.FLOAT);
        }
        return new FeatureColumns(positions, false, floats, types);
    }

    /** Whether input column {@code position} is a feature column. */
    boolean contains(int position) {
        for (int p : positions) {
            if (p == position) {
                return true;
            }
        }
        return false;
    }

    /** The number of channels when each column is one, or -1 for an array column. */
    int columnChannels() {
        return array ? -1 : positions.length;
    }

    /** The output type of feature column {@code position} whose input type is {@code type}. */
    DataType outputType(int position, LogicalType type) {
        if (array) {
            return DataTypes.of(type.copy(true)).nullable();
        }
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] == position) {
                return floats[i] ? DataTypes.FLOAT() : DataTypes.DOUBLE();
            }
        }
        throw new IllegalArgumentException("column " + position + " is not a feature column");
    }

    /**
     * The values of {@code row}'s features (as the function receives it), or null after recording
     * why there are none in {@code error[0]}: {@code missing-values} (the array, or every feature
     * column, is NULL) or {@code not-a-number} (a NULL element or column).
     */
    @Nullable
    double[] read(Row row, ErrorCode[] error) {
        if (array) {
            Object value = row.getField(positions[0]);
            if (value == null) {
                error[0] = ErrorCode.MISSING_VALUES;
                return null;
            }
            return readArray(value, error);
        }
        double[] values = new double[positions.length];
        int nulls = 0;
        for (int i = 0; i < positions.length; i++) {
            Object value = row.getField(positions[i]);
            if (value == null) {
                nulls++;
            } else {
                values[i] = ((Number) value).doubleValue();
            }
        }
        if (nulls > 0) {
            error[0] =
                    nulls == positions.length ? ErrorCode.MISSING_VALUES : ErrorCode.NOT_A_NUMBER;
            return null;
        }
        return values;
    }

    @Nullable
    private static double[] readArray(Object value, ErrorCode[] error) {
        if (value instanceof double[]) {
            return ((double[]) value).clone();
        }
        if (value instanceof float[]) {
            float[] in = (float[]) value;
            double[] values = new double[in.length];
            for (int i = 0; i < in.length; i++) {
                values[i] = in[i];
            }
            return values;
        }
        Object[] in = (Object[]) value;
        double[] values = new double[in.length];
        for (int i = 0; i < in.length; i++) {
            if (in[i] == null) {
                error[0] = ErrorCode.NOT_A_NUMBER;
                return null;
            }
            values[i] = ((Number) in[i]).doubleValue();
        }
        return values;
    }

    /**
     * The values of {@code row}'s features (Flink's internal row), or null after recording why
     * there are none in {@code error[0]}: {@code missing-values} (the array, or every feature
     * column, is NULL) or {@code not-a-number} (a NULL element or column). The values are a new
     * array the caller may overwrite.
     */
    @Nullable
    double[] read(RowData row, ErrorCode[] error) {
        if (array) {
            if (row.isNullAt(positions[0])) {
                error[0] = ErrorCode.MISSING_VALUES;
                return null;
            }
            return readArray(row.getArray(positions[0]), floats[0], error);
        }
        double[] values = new double[positions.length];
        int nulls = 0;
        for (int i = 0; i < positions.length; i++) {
            if (row.isNullAt(positions[i])) {
                nulls++;
            } else {
                values[i] = numeric(row, i);
            }
        }
        if (nulls > 0) {
            error[0] =
                    nulls == positions.length ? ErrorCode.MISSING_VALUES : ErrorCode.NOT_A_NUMBER;
            return null;
        }
        return values;
    }

    /** Feature column {@code i} (not NULL) of {@code row} as a double. */
    private double numeric(RowData row, int i) {
        int position = positions[i];
        LogicalType type = types[i];
        switch (type.getTypeRoot()) {
            case TINYINT:
                return row.getByte(position);
            case SMALLINT:
                return row.getShort(position);
            case INTEGER:
                return row.getInt(position);
            case BIGINT:
                return row.getLong(position);
            case FLOAT:
                return row.getFloat(position);
            case DOUBLE:
                return row.getDouble(position);
            case DECIMAL:
                DecimalType decimal = (DecimalType) type;
                return row.getDecimal(position, decimal.getPrecision(), decimal.getScale())
                        .toBigDecimal()
                        .doubleValue();
            default:
                throw new IllegalStateException("column " + position + " is " + type);
        }
    }

    /**
     * The elements of a feature array as a new array of doubles, or null if one is NULL. A binary
     * array (what Flink's network and state hand over) is copied in one block.
     */
    @Nullable
    private static double[] readArray(ArrayData in, boolean floats, ErrorCode[] error) {
        if (in instanceof BinaryArrayData) {
            BinaryArrayData binary = (BinaryArrayData) in;
            if (binary.anyNull()) {
                error[0] = ErrorCode.NOT_A_NUMBER;
                return null;
            }
            return floats ? widen(binary.toFloatArray()) : binary.toDoubleArray();
        }
        double[] values = new double[in.size()];
        for (int i = 0; i < values.length; i++) {
            if (in.isNullAt(i)) {
                error[0] = ErrorCode.NOT_A_NUMBER;
                return null;
            }
            values[i] = floats ? in.getFloat(i) : in.getDouble(i);
        }
        return values;
    }

    private static double[] widen(float[] in) {
        double[] values = new double[in.length];
        for (int i = 0; i < in.length; i++) {
            values[i] = in[i];
        }
        return values;
    }

    /**
     * The internal value of feature column {@code position} for the output row: its part of {@code
     * values} (null: NULL).
     */
    @Nullable
    Object valueOf(int position, @Nullable double[] values) {
        if (values == null) {
            return null;
        }
        if (array) {
            return floats[0] ? new GenericArrayData(narrow(values)) : new GenericArrayData(values);
        }
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] == position) {
                return floats[i] ? (Object) (float) values[i] : (Object) values[i];
            }
        }
        throw new IllegalArgumentException("column " + position + " is not a feature column");
    }

    private static float[] narrow(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
