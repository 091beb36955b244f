package dev.streamnorm.bench.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Timestamps and counts that a job running on a local (in-process) MiniCluster reports back to the
 * harness: the first record a source emitted and the end of input at the sinks. Static, so only one
 * job at a time.
 */
final class Probe {
    private static final AtomicLong FIRST_EMIT = new AtomicLong(Long.MAX_VALUE);
    private static final AtomicLong LAST_SINK = new AtomicLong(Long.MIN_VALUE);
    private static final AtomicLong SUNK = new AtomicLong();
    private static final AtomicLong TASK_CPU = new AtomicLong();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Probe() {}

    static void reset() {
        FIRST_EMIT.set(Long.MAX_VALUE);
        LAST_SINK.set(Long.MIN_VALUE);
        SUNK.set(0);
        TASK_CPU.set(0);
    }

    /** CPU time of the calling thread, in nanoseconds. */
    /** CPU time of this whole process (pipeline, broker, producers, consumers, JIT, GC). */
    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Time the JIT compilers spent compiling so far, in ns (HotSpot counts its compiler threads'
     * elapsed time; they run flat out while compiling, so this approximates their CPU time).
     */
    static long jitNanos() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime() * 1_000_000L;
    }

    static long threadCpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** A task thread spent {@code nanos} of CPU between its first record and its end of input. */
    static void taskCpu(long nanos) {
        TASK_CPU.addAndGet(nanos);
    }

    /** The CPU time the task threads reported. */
    static long taskCpuNanos() {
        return TASK_CPU.get();
    }

    /** A source subtask emits its first record now. */
    static void firstEmit() {
        FIRST_EMIT.accumulateAndGet(System.nanoTime(), Math::min);
    }

    /** A sink subtask reached the end of its input after {@code records} records. */
    static void sinkDone(long records) {
        SUNK.addAndGet(records);
        LAST_SINK.accumulateAndGet(System.nanoTime(), Math::max);
    }

    /** Nanoseconds from the first record emitted to the end of input at the last sink. */
    static long elapsedNanos() {
        return LAST_SINK.get() - FIRST_EMIT.get();
    }

    static long sunk() {
        return SUNK.get();
    }
}
