package dev.streamnorm.sql;

import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.internal.PerRecordNormFunction;
import dev.streamnorm.state.L2Norm;
import dev.streamnorm.state.SegmentNorm;
import javax.annotation.Nullable;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.types.ColumnList;
import org.apache.flink.types.Row;

/**
 * The per-record norms ({@code LAYER_NORM}, {@code GROUP_NORM}, {@code INSTANCE_NORM}, {@code
 * L2_NORM}): each row on its own, row semantics, no state (DESIGN §2, §6).
 *
 * <p>The output is the input row with the features normalized, and {@code error}: NULL, or the code
 * of a row that could not be normalized (its features NULL).
 */
public class RowNormFunction extends ProcessTableFunction<RowData> implements SpecializedFunction {
    private static final long serialVersionUID = 1L;

    private static final NormSignature SIGNATURE = NormSignature.row();

    private final Norm norm;

    /** The validated call; set on the instance specialized for a call. */
    @Nullable private final NormCall call;

    private transient ErrorCode[] error;
    private transient int expectedLength;
    @Nullable private transient SegmentNorm segmentNorm;
    private transient int segmentNormLength;

    RowNormFunction(Norm norm, @Nullable NormCall call) {
        this.norm = norm;
        this.call = call;
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return NormTypeInference.of(norm, SIGNATURE);
    }

    @Override
    public UserDefinedFunction specialize(SpecializedContext context) {
        return new RowNormFunction(
                norm,
                NormTypeInference.call(
                        norm,
                        SIGNATURE,
                        NormTypeInference.functionName(norm),
                        context.getCallContext()));
    }

    @Override
    public void open(FunctionContext context) {
        call.open(context.getUserCodeClassLoader());
        error = new ErrorCode[1];
        expectedLength = PerRecordNormFunction.expectedLength(call.config);
    }

    /** Normalizes one row. */
    public void eval(
            Row input,
            ColumnList features,
            Double eps,
            String shape,
            Integer groups,
            String affine) {
        double[] values = call.read(input, expectedLength, error);
        RowData row = call.internal(input, null);
        if (values == null) {
            collect(call.output(row, null, error[0]));
            return;
        }
        if (norm == Norm.L2) {
            L2Norm.apply(values, values, call.config.eps());
        } else {
            segmentNorm(values.length).apply(values, values);
        }
        collect(call.output(row, values, null));
    }

    private SegmentNorm segmentNorm(int length) {
        if (segmentNorm == null || segmentNormLength != length) {
            segmentNorm = PerRecordNormFunction.segmentNorm(call.config, length);
            segmentNormLength = length;
        }
        return segmentNorm;
    }
}
