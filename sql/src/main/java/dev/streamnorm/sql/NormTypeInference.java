package dev.streamnorm.sql;

import dev.streamnorm.operators.Norm;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.ArgumentCount;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.InputTypeStrategies;
import org.apache.flink.table.types.inference.InputTypeStrategy;
import org.apache.flink.table.types.inference.Signature;
import org.apache.flink.table.types.inference.StateTypeStrategy;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.TypeInference;

/**
 * The type inference of a normalization function: its named arguments, their validation when the
 * statement is planned (one {@code ValidationException} naming the function and the argument), the
 * output row type and, for {@code BATCH_NORM}, its state entries.
 */
final class NormTypeInference {
    private NormTypeInference() {}

    /** The type inference of {@code norm}'s function with {@code signature}. */
    static TypeInference of(Norm norm, NormSignature signature) {
        String name = functionName(norm);
        TypeInference.Builder builder =
                TypeInference.newBuilder()
                        .staticArguments(signature.arguments())
                        .inputTypeStrategy(new Validation(norm, signature, name))
                        .outputTypeStrategy(
                                context ->
                                        Optional.of(
                                                NormCall.outputType(
                                                        call(norm, signature, name, context),
                                                        NormCall.inputType(
                                                                context.getTableSemantics(0)
                                                                        .orElseThrow()))));
        if (norm == Norm.BATCH) {
            LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
            state.put(BatchNormState.BATCH, fixed(BatchNormState.batchType()));
            state.put(BatchNormState.RUNNING_STATS, fixed(BatchNormState.runningStatsType()));
            state.put(BatchNormState.EW_MOMENTS, fixed(BatchNormState.momentsType()));
            state.put(
                    BatchNormState.ROWS,
                    StateTypeStrategy.of(
                            context ->
                                    Optional.of(
                                            BatchNormState.rowsType(
                                                    NormCall.inputType(
                                                            context.getTableSemantics(0)
                                                                    .orElseThrow()))),
                            Duration.ZERO));
            state.put(BatchNormState.WINDOWS, fixed(BatchNormState.windowsType()));
            builder.stateTypeStrategies(state);
        }
        return builder.build();
    }

    /**
     * A state entry of a fixed type, without TTL: Flink would otherwise give every entry an
     * infinite TTL (so that one can be set later), which costs a timestamp per value and a cleanup
     * pass on every access.
     */
    private static StateTypeStrategy fixed(DataType type) {
        return StateTypeStrategy.of(context -> Optional.of(type), Duration.ZERO);
    }

    /** The SQL name of {@code norm}'s function, such as {@code BATCH_NORM}. */
    static String functionName(Norm norm) {
        return norm.name().toUpperCase(Locale.ROOT) + "_NORM";
    }

    /** The validated call, or the validation error naming the function and the argument. */
    static NormCall call(Norm norm, NormSignature signature, String name, CallContext context) {
        try {
            return NormCall.of(norm, signature, context, true);
        } catch (IllegalArgumentException e) {
            throw context.newValidationError("%s: %s", name, e.getMessage());
        }
    }

    /** Validates every argument; the argument types stay as the static signature says. */
    private static final class Validation implements InputTypeStrategy {
        private final Norm norm;
        private final NormSignature signature;
        private final String name;

        Validation(Norm norm, NormSignature signature, String name) {
            this.norm = norm;
            this.signature = signature;
            this.name = name;
        }

        @Override
        public ArgumentCount getArgumentCount() {
            return InputTypeStrategies.WILDCARD.getArgumentCount();
        }

        @Override
        public Optional<List<DataType>> inferInputTypes(
                CallContext callContext, boolean throwOnFailure) {
            try {
                NormCall.of(norm, signature, callContext, true);
            } catch (IllegalArgumentException e) {
                return callContext.fail(throwOnFailure, "%s: %s", name, e.getMessage());
            }
            return Optional.of(callContext.getArgumentDataTypes());
        }

        @Override
        public List<Signature> getExpectedSignatures(FunctionDefinition definition) {
            return List.of(
                    Signature.of(
                            signature.arguments().stream()
                                    .map(NormTypeInference::describe)
                                    .collect(java.util.stream.Collectors.toList())));
        }
    }

    private static Signature.Argument describe(StaticArgument argument) {
        return Signature.Argument.of(
                argument.getName(),
                argument.getDataType()
                        .map(t -> t.getLogicalType().asSummaryString())
                        .orElse("TABLE"));
    }
}
