package dev.streamnorm.sql;

import dev.streamnorm.operators.Norm;

/**
 * {@code L2_NORM}: see {@link RowNormFunction}; register with {@code CREATE FUNCTION L2_NORM AS
 * 'dev.streamnorm.sql.L2NormFunction'}.
 */
public final class L2NormFunction extends RowNormFunction {
    private static final long serialVersionUID = 1L;

    public L2NormFunction() {
        super(Norm.L2, null);
    }
}
