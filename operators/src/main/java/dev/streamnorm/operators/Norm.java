package dev.streamnorm.operators;

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
    L2(PerRecordNormPlan.INSTANCE);

    private final NormPlan plan;

    Norm(NormPlan plan) {
        this.plan = plan;
    }

    /** Its checks, job graph and description. */
    NormPlan plan() {
        return plan;
    }

    /** Whether each record is normalized on its own, without state. */
    public boolean isPerRecord() {
        return this != BATCH;
    }

    /** The lower-case name used on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
