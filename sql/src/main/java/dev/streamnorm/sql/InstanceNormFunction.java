package dev.streamnorm.sql;

import dev.streamnorm.operators.Norm;

/**
 * {@code INSTANCE_NORM}: see {@link RowNormFunction}; register with {@code CREATE FUNCTION
 * INSTANCE_NORM AS 'dev.streamnorm.sql.InstanceNormFunction'}.
 */
public final class InstanceNormFunction extends RowNormFunction {
    private static final long serialVersionUID = 1L;

    public InstanceNormFunction() {
        super(Norm.INSTANCE, null);
    }
}
