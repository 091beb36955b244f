package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;

/**
 * A bounded parallel source of ids in which subtask {@code i} reads exactly the {@code i}-th range,
 * in order, and nothing else (Flink's own {@link NumberSequenceSource} hands splits to whichever
 * reader asks first, so a fast reader can take a second split and its timestamps go backwards).
 * With a per-event watermark generator this makes what every subtask sees, and when, deterministic.
 * A range of size 0 leaves its subtask without a split: it finishes at once.
 */
public final class SubtaskSequenceSource extends NumberSequenceSource {
    private static final long serialVersionUID = 1L;

    private final long[] sizes;

    /** Subtask {@code i} reads ids {@code [sizes[0] + ... + sizes[i-1], ... + sizes[i])}. */
    public SubtaskSequenceSource(long... sizes) {
        super(0, Math.max(0, total(sizes) - 1));
        this.sizes = sizes.clone();
    }

    private static long total(long[] sizes) {
        long total = 0;
        for (long size : sizes) {
            total += size;
        }
        return total;
    }

    @Override
    public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> createEnumerator(
            SplitEnumeratorContext<NumberSequenceSplit> context) {
        checkState(
                context.currentParallelism() == sizes.length,
                "source parallelism %s, but %s ranges",
                context.currentParallelism(),
                sizes.length);
        List<NumberSequenceSplit> splits = new ArrayList<>();
        long from = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] > 0) {
                splits.add(new NumberSequenceSplit(String.valueOf(i), from, from + sizes[i] - 1));
            }
            from += sizes[i];
        }
        return new FixedAssignment(context, splits);
    }

    @Override
    public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> restoreEnumerator(
            SplitEnumeratorContext<NumberSequenceSplit> context,
            Collection<NumberSequenceSplit> checkpoint) {
        return new FixedAssignment(context, checkpoint);
    }

    /** Gives split {@code i} to subtask {@code i} only; then tells the reader there is no more. */
    private static final class FixedAssignment
            implements SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> {
        private final SplitEnumeratorContext<NumberSequenceSplit> context;
        private final Map<Integer, NumberSequenceSplit> unassigned = new HashMap<>();

        FixedAssignment(
                SplitEnumeratorContext<NumberSequenceSplit> context,
                Collection<NumberSequenceSplit> splits) {
            this.context = context;
            splits.forEach(this::putBack);
        }

        private void putBack(NumberSequenceSplit split) {
            unassigned.put(Integer.parseInt(split.splitId()), split);
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtask, String hostname) {
            NumberSequenceSplit split = unassigned.remove(subtask);
            if (split != null) {
                context.assignSplit(split, subtask);
            }
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public void addSplitsBack(List<NumberSequenceSplit> splits, int subtask) {
            splits.forEach(this::putBack);
        }

        @Override
        public void addReader(int subtask) {}

        @Override
        public Collection<NumberSequenceSplit> snapshotState(long checkpointId) {
            return new ArrayList<>(unassigned.values());
        }

        @Override
        public void close() {}
    }
}
