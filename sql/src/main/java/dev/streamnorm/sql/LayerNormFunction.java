package dev.streamnorm.sql;

import dev.streamnorm.operators.Norm;

/**
 * {@code LAYER_NORM}: see {@link RowNormFunction}; register with {@code CREATE FUNCTION LAYER_NORM
 * AS 'dev.streamnorm.sql.LayerNormFunction'}.
 */
public final class LayerNormFunction extends RowNormFunction {
    private static final long serialVersionUID = 1L;

    public LayerNormFunction() {
        super(Norm.LAYER, null);
    }
}
