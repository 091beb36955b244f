package dev.streamnorm.sql;

import dev.streamnorm.operators.Norm;

/**
 * {@code GROUP_NORM}: see {@link RowNormFunction}; register with {@code CREATE FUNCTION GROUP_NORM
 * AS 'dev.streamnorm.sql.GroupNormFunction'}.
 */
public final class GroupNormFunction extends RowNormFunction {
    private static final long serialVersionUID = 1L;

    public GroupNormFunction() {
        super(Norm.GROUP, null);
    }
}
