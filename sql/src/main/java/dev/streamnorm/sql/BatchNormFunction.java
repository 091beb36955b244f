package dev.streamnorm.sql;

import dev.streamnorm.operators.Norm;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import javax.annotation.Nullable;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.table.api.dataview.ListView;
import org.apache.flink.table.api.dataview.MapView;
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
 * {@code BATCH_NORM}: batch norm per {@code PARTITION BY} key in train, eval or online mode, with
 * the DataStream operator's numbers (DESIGN §2, §6).
 *
 * <pre>{@code
 * SELECT * FROM BATCH_NORM(
 *   input => TABLE features PARTITION BY key,
 *   features => DESCRIPTOR(vals),
 *   mode => 'train', batch_size => 32, momentum => '0.1', eps => 1e-5);
 * }</pre>
 *
 * <p>The output is the key columns, the other input columns with the features normalized, and
 * {@code error}: NULL, or the code of a row that could not be normalized (its features NULL).
 */
public class BatchNormFunction extends ProcessTableFunction<RowData>
        implements SpecializedFunction {
    private static final long serialVersionUID = 1L;

    private static final NormSignature SIGNATURE = NormSignature.batch();

    /** The validated call; set on the instance specialized for a call. */
    @Nullable private final NormCall call;

    private transient BatchNormRunner runner;

    public BatchNormFunction() {
        this(null);
    }

    private BatchNormFunction(@Nullable NormCall call) {
        this.call = call;
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return NormTypeInference.of(Norm.BATCH, SIGNATURE);
    }

    @Override
    public UserDefinedFunction specialize(SpecializedContext context) {
        boolean restores =
                context.getConfiguration()
                        .getOptional(StateRecoveryOptions.SAVEPOINT_PATH)
                        .isPresent();
        try {
            return new BatchNormFunction(
                    NormCall.of(Norm.BATCH, SIGNATURE, context.getCallContext(), restores));
        } catch (IllegalArgumentException e) {
            throw context.getCallContext().newValidationError("BATCH_NORM: %s", e.getMessage());
        }
    }

    @Override
    public void open(FunctionContext context) {
        call.open(context.getUserCodeClassLoader());
        runner = new BatchNormRunner(call, this::collect);
    }

    /** Normalizes, or holds until its batch closes, one input row. */
    public void eval(
            Context ctx,
            Row batch,
            ListView<RunningStats> runningStats,
            ListView<ExponentialMoments> moments,
            ListView<RowData> rows,
            MapView<Long, ChannelMoments> windows,
            Row input,
            ColumnList features,
            String mode,
            Integer batchSize,
            String batchInterval,
            String batchTimeout,
            String momentum,
            String convention,
            Double eps,
            String shape,
            String stats,
            String affine)
            throws Exception {
        runner.process(ctx, new BatchNormState(batch, runningStats, moments, rows, windows), input);
    }

    /** Closes the key's open batch at its timeout, window end or the end of input. */
    public void onTimer(
            OnTimerContext ctx,
            Row batch,
            ListView<RunningStats> runningStats,
            ListView<ExponentialMoments> moments,
            ListView<RowData> rows,
            MapView<Long, ChannelMoments> windows)
            throws Exception {
        runner.onTimer(ctx, new BatchNormState(batch, runningStats, moments, rows, windows));
    }
}
