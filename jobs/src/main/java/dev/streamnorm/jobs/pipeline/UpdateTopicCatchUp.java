package dev.streamnorm.jobs.pipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far a reader of the stats-update topic has come towards the end offsets the topic had when
 * the job (re)started: per partition the next offset it has not read, and the target. Caught up
 * when every partition's next offset has reached its target; offsets only move forward.
 */
final class UpdateTopicCatchUp {
    private final Map<Integer, Long> target;
    private final Map<Integer, Long> next;

    /**
     * @param target the end offset of each partition at (re)start
     * @param next the next unread offset of each partition (a partition without one starts at 0)
     */
    UpdateTopicCatchUp(Map<Integer, Long> target, Map<Integer, Long> next) {
        this.target = new TreeMap<>(target);
        this.next = new HashMap<>(next);
    }

    /** The message at {@code offset} of {@code partition} has been read. */
    void read(int partition, long offset) {
        skipTo(partition, offset + 1);
    }

    /** Nothing below {@code offset} of {@code partition} is left to read. */
    void skipTo(int partition, long offset) {
        next.merge(partition, offset, Math::max);
    }

    /** The next unread offset of {@code partition}. */
    long next(int partition) {
        return next.getOrDefault(partition, 0L);
    }

    /** A partition that has not reached its target, or -1 when caught up. */
    int lagging() {
        for (Map.Entry<Integer, Long> entry : target.entrySet()) {
            if (next(entry.getKey()) < entry.getValue()) {
                return entry.getKey();
            }
        }
        return -1;
    }

    /** The target of {@code partition}. */
    long target(int partition) {
        return target.getOrDefault(partition, 0L);
    }

    /** The next unread offset of every partition read or targeted so far. */
    Map<Integer, Long> positions() {
        Map<Integer, Long> positions = new TreeMap<>(next);
        for (Integer partition : target.keySet()) {
            positions.putIfAbsent(partition, 0L);
        }
        return positions;
    }

    @Override
    public String toString() {
        return "read up to " + positions() + " of " + target;
    }
}
