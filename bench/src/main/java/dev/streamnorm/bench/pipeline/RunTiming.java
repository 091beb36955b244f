package dev.streamnorm.bench.pipeline;

/**
 * The measured time of one benchmark run: records, records that reached the sinks, the time from
 * the first record to the end of input at the sinks, the job's wall time, and CPU time over the
 * same span (each benchmark says of which threads).
 */
public final class RunTiming {
    public final long records;
    public final long sunk;
    public final long elapsedNanos;
    public final long wallNanos;
    public final long cpuNanos;

    public RunTiming(long records, long sunk, long elapsedNanos, long wallNanos, long cpuNanos) {
        this.records = records;
        this.sunk = sunk;
        this.elapsedNanos = elapsedNanos;
        this.wallNanos = wallNanos;
        this.cpuNanos = cpuNanos;
    }

    /** Records per second from the first record to the end of input. */
    public double recordsPerSecond() {
        return records / (elapsedNanos / 1e9);
    }

    /** Records per second of the measured CPU time. */
    public double recordsPerCpuSecond() {
        return records / (cpuNanos / 1e9);
    }
}
