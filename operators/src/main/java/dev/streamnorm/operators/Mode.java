package dev.streamnorm.operators;

import java.util.Locale;

/** How batch norm treats its running statistics. */
public enum Mode {
    /** Normalize mini-batches with their own statistics and fold them into the running stats. */
    TRAIN,
    /** Normalize with frozen running statistics; state never changes. */
    EVAL,
    /** Update exponentially weighted statistics per record, then normalize with them. */
    ONLINE;

    /** The lower-case name used on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
