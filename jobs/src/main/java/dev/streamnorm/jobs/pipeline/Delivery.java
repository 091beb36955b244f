package dev.streamnorm.jobs.pipeline;

/** The delivery guarantee of the Kafka sinks. */
public enum Delivery {
    /** Transactions committed on checkpoints; readers use {@code read_committed}. */
    EXACTLY_ONCE,
    /** Flushed on checkpoints; a restart may write a record twice. */
    AT_LEAST_ONCE
}
