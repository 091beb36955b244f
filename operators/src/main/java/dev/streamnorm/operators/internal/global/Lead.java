package dev.streamnorm.operators.internal.global;

/**
 * How far a subtask runs ahead of the batches closed on every subtask, in processing time: how long
 * ago its own watermark passed the last point that every subtask has passed. A subtask far ahead
 * holds the records of every batch in between; the operator makes it pause, so that its memory
 * stays bounded and the CPU goes to the subtasks behind (Flink's watermark alignment does the same
 * at the sources, when configured).
 *
 * <p>Keeps the last {@value #KEPT} watermark advances with the (monotonic) time they came; a lead
 * longer than that history is measured from the oldest one kept.
 */
final class Lead {
    private static final int KEPT = 64;

    private final long[] times = new long[KEPT];
    private final long[] marks = new long[KEPT];
    private int count;

    /** This subtask's watermark reached {@code mark} at {@code nanos} ({@link System#nanoTime}). */
    void advanced(long mark, long nanos) {
        times[count % KEPT] = nanos;
        marks[count % KEPT] = mark;
        count++;
    }

    /**
     * The nanoseconds from when this subtask's watermark passed {@code closedUpTo} to {@code now};
     * 0 when it has not passed it.
     */
    long nanosAhead(long closedUpTo, long now) {
        long since = now;
        for (int i = 1; i <= Math.min(count, KEPT); i++) {
            int k = (count - i) % KEPT;
            if (marks[k] <= closedUpTo) {
                break;
            }
            since = times[k];
        }
        return now - since;
    }
}
