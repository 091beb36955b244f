package dev.streamnorm.operators.compat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;

/**
 * The ids {@code 0 .. count - 1}, in order, after which the source stays open without emitting
 * anything: the job keeps running, no end-of-input watermark fires its timers, and a savepoint
 * taken then holds the state after exactly those records. Run it with parallelism 1.
 */
final class OpenEndedSequenceSource extends NumberSequenceSource {
    private static final long serialVersionUID = 1L;

    OpenEndedSequenceSource(long count) {
        super(0, count - 1);
    }

    @Override
    public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> createEnumerator(
            SplitEnumeratorContext<NumberSequenceSplit> context) {
        return new NeverDone(context, List.of(new NumberSequenceSplit("0", getFrom(), getTo())));
    }

    @Override
    public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> restoreEnumerator(
            SplitEnumeratorContext<NumberSequenceSplit> context,
            Collection<NumberSequenceSplit> checkpoint) {
        return new NeverDone(context, checkpoint);
    }

    /** Hands out the splits on request and never says that there are no more. */
    private static final class NeverDone
            implements SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> {
        private final SplitEnumeratorContext<NumberSequenceSplit> context;
        private final List<NumberSequenceSplit> unassigned;

        NeverDone(
                SplitEnumeratorContext<NumberSequenceSplit> context,
                Collection<NumberSequenceSplit> splits) {
            this.context = context;
            this.unassigned = new ArrayList<>(splits);
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtask, String hostname) {
            if (!unassigned.isEmpty()) {
                context.assignSplit(unassigned.remove(0), subtask);
            }
        }

        @Override
        public void addSplitsBack(List<NumberSequenceSplit> splits, int subtask) {
            unassigned.addAll(splits);
        }

        @Override
        public void addReader(int subtask) {}

        @Override
        public Collection<NumberSequenceSplit> snapshotState(long checkpointId) {
            return new ArrayList<>(unassigned);
        }

        @Override
        public void close() {}
    }
}
