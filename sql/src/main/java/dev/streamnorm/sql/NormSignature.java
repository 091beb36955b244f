package dev.streamnorm.sql;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.StaticArgumentTrait;
import org.apache.flink.types.Row;

/**
 * The named arguments of the functions, in the order of their {@code eval} parameters. They mirror
 * the command line's options with underscores (DESIGN §6); the system arguments {@code on_time} and
 * {@code uid} that Flink adds to every process table function follow them.
 */
final class NormSignature {
    static final String INPUT = "input";
    static final String FEATURES = "features";
    static final String MODE = "mode";
    static final String BATCH_SIZE = "batch_size";
    static final String BATCH_INTERVAL = "batch_interval";
    static final String BATCH_TIMEOUT = "batch_timeout";
    static final String MOMENTUM = "momentum";
    static final String CONVENTION = "convention";
    static final String EPS = "eps";
    static final String SHAPE = "shape";
    static final String GROUPS = "groups";
    static final String STATS = "stats";
    static final String AFFINE = "affine";

    /** {@code BATCH_NORM}'s arguments after the table. */
    private static final List<StaticArgument> BATCH_SCALARS =
            List.of(
                    descriptor(FEATURES),
                    optional(MODE, DataTypes.STRING()),
                    optional(BATCH_SIZE, DataTypes.INT()),
                    optional(BATCH_INTERVAL, DataTypes.STRING()),
                    optional(BATCH_TIMEOUT, DataTypes.STRING()),
                    optional(MOMENTUM, DataTypes.STRING()),
                    optional(CONVENTION, DataTypes.STRING()),
                    optional(EPS, DataTypes.DOUBLE()),
                    optional(SHAPE, DataTypes.STRING()),
                    optional(STATS, DataTypes.STRING()),
                    optional(AFFINE, DataTypes.STRING()));

    /** The per-record norms' arguments after the table. */
    private static final List<StaticArgument> ROW_SCALARS =
            List.of(
                    descriptor(FEATURES),
                    optional(EPS, DataTypes.DOUBLE()),
                    optional(SHAPE, DataTypes.STRING()),
                    optional(GROUPS, DataTypes.INT()),
                    optional(AFFINE, DataTypes.STRING()));

    private final List<StaticArgument> arguments;

    private NormSignature(List<StaticArgument> arguments) {
        this.arguments = arguments;
    }

    /** {@code BATCH_NORM}: a table with set semantics (PARTITION BY the key columns). */
    static NormSignature batch() {
        return of(StaticArgumentTrait.SET_SEMANTIC_TABLE, BATCH_SCALARS);
    }

    /** The per-record norms: a table with row semantics. */
    static NormSignature row() {
        return of(StaticArgumentTrait.ROW_SEMANTIC_TABLE, ROW_SCALARS);
    }

    private static NormSignature of(StaticArgumentTrait semantics, List<StaticArgument> scalars) {
        List<StaticArgument> arguments = new ArrayList<>();
        arguments.add(StaticArgument.table(INPUT, Row.class, false, EnumSet.of(semantics)));
        arguments.addAll(scalars);
        return new NormSignature(List.copyOf(arguments));
    }

    private static StaticArgument descriptor(String name) {
        return StaticArgument.scalar(name, DataTypes.DESCRIPTOR(), false);
    }

    private static StaticArgument optional(String name, DataType type) {
        return StaticArgument.scalar(name, type, true);
    }

    /** The declared arguments (without the system arguments). */
    List<StaticArgument> arguments() {
        return arguments;
    }

    /** The position of argument {@code name}, or -1 if the function has none of that name. */
    int position(String name) {
        for (int i = 0; i < arguments.size(); i++) {
            if (arguments.get(i).getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The position of the system argument {@code on_time}. */
    int onTimePosition() {
        return arguments.size();
    }
}
