package dev.streamnorm.operators;

import dev.streamnorm.state.scaler.ScalerKind;
import java.util.Locale;

/** Which normalization to apply. */
public enum Norm {
    /** Batch norm with per-key running statistics (train, eval or online mode). */
    BATCH(BatchNormPlan.INSTANCE),
    /** Layer norm: each record over all its values. */
    LAYER(PerRecordNormPlan.INSTANCE),
    /** Group norm: each record over contiguous channel groups. */
    GROUP(PerRecordNormPlan.INSTANCE),
    /** Instance norm: each record per channel over its positions (shape CxL, L ≥ 2). */
    INSTANCE(PerRecordNormPlan.INSTANCE),
    /** L2 (cosine) normalization of each record. */
    L2(PerRecordNormPlan.INSTANCE),
    /** scikit-learn's StandardScaler per key (DESIGN §7). */
    STANDARD(ScalerPlan.INSTANCE),
    /** scikit-learn's MinMaxScaler per key. */
    MINMAX(ScalerPlan.INSTANCE),
    /** scikit-learn's MaxAbsScaler per key. */
    MAXABS(ScalerPlan.INSTANCE),
    /** scikit-learn's RobustScaler per key, from quantile sketches. */
    ROBUST(ScalerPlan.INSTANCE);

    private final NormPlan plan;

    Norm(NormPlan plan) {
        this.plan = plan;
    }

    /** Whether this is one of scikit-learn's scalers ({@link #scalerKind()}). */
    public boolean isScaler() {
        return plan == ScalerPlan.INSTANCE;
    }

    /**
     * The scaler this norm is.
     *
     * @throws IllegalStateException unless {@link #isScaler()}
     */
    public ScalerKind scalerKind() {
        if (!isScaler()) {
            throw new IllegalStateException(id() + " is not a scaler");
        }
        return ScalerKind.of(id());
    }

    /** Its checks, job graph and description. */
    NormPlan plan() {
        return plan;
    }

    /** Whether each record is normalized on its own, without state. */
    public boolean isPerRecord() {
        return plan == PerRecordNormPlan.INSTANCE;
    }

    /** The lower-case name used on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
