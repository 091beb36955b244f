package dev.streamnorm.bench.global;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;

/**
 * A bounded parallel source of {@code 0 .. n·p − 1} in which subtask {@code s} reads exactly {@code
 * [s·n, (s+1)·n)}, in order. Flink's {@link NumberSequenceSource} hands splits to whichever reader
 * asks first, so one fast reader can take both and its event times go backwards; here every subtask
 * has its own monotone share of the event-time range.
 */
final class SubtaskSequenceSource extends NumberSequenceSource {
    private static final long serialVersionUID = 1L;

    private final long perSubtask;
    private final int parallelism;

    SubtaskSequenceSource(long perSubtask, int parallelism) {
        super(0, perSubtask * parallelism - 1);
        this.perSubtask = perSubtask;
        this.parallelism = parallelism;
    }

    @Override
    public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> createEnumerator(
            SplitEnumeratorContext<NumberSequenceSplit> context) {
        if (context.currentParallelism() != parallelism) {
            throw new IllegalStateException(
                    "source parallelism "
                            + context.currentParallelism()
                            + ", expected "
                            + parallelism);
        }
        List<NumberSequenceSplit> splits = new ArrayList<>();
        for (int s = 0; s < parallelism; s++) {
            splits.add(
                    new NumberSequenceSplit(
                            String.valueOf(s), s * perSubtask, (s + 1) * perSubtask - 1));
        }
        return new FixedAssignment(context, splits);
    }

    @Override
    public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> restoreEnumerator(
            SplitEnumeratorContext<NumberSequenceSplit> context,
            Collection<NumberSequenceSplit> checkpoint) {
        return new FixedAssignment(context, checkpoint);
    }

    /** Split {@code s} goes to subtask {@code s} only. */
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
