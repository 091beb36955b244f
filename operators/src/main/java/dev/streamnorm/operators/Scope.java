package dev.streamnorm.operators;

import java.util.Locale;

/** Whose statistics a batch-norm record is normalized with. */
public enum Scope {
    /** One set of statistics per record key. */
    KEY,
    /**
     * One set of statistics shared by all records (the streaming form of SyncBatchNorm): every
     * parallel subtask accumulates partial moments of an event-time batch, the partials are merged
     * exactly, and the merged statistics normalize the whole batch on every subtask.
     */
    GLOBAL;

    /** The lower-case name used on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
