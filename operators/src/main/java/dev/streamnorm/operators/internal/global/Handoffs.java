package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.typeutils.FeatureRecordSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The coordinator's record of subtasks whose input has ended: the chunks of records a subtask is
 * handing off, which subtasks have been released (finished, holding nothing), and the released
 * records of batches still open, until those batches close and go to a subtask still running.
 *
 * <p>A subtask released in a checkpoint stays released after a restore at the same parallelism,
 * unless it registers again (Flink may leave a finished subtask finished); after rescaling, every
 * subtask runs.
 */
final class Handoffs {
    private final int parallelism;
    private final List<List<Tuple2<Long, FeatureRecord>>> incoming = new ArrayList<>();
    private final boolean[] released;
    private final TreeMap<Long, List<FeatureRecord>> orphans = new TreeMap<>();

    Handoffs(int parallelism) {
        this.parallelism = parallelism;
        this.released = new boolean[parallelism];
        for (int i = 0; i < parallelism; i++) {
            incoming.add(new ArrayList<>());
        }
    }

    /** Adds a chunk of the records that {@code subtask} hands off. */
    void receive(int subtask, List<Tuple2<Long, FeatureRecord>> records) {
        incoming.get(subtask).addAll(records);
    }

    /** Forgets a partly received hand-off (its subtask failed; its next attempt repeats it). */
    void discardIncoming(int subtask) {
        incoming.get(subtask).clear();
    }

    /** Marks {@code subtask} as running again. */
    void rejoin(int subtask) {
        released[subtask] = false;
    }

    boolean released(int subtask) {
        return released[subtask];
    }

    /** Whether a subtask other than {@code subtask} is still running. */
    boolean othersRunning(int subtask) {
        for (int i = 0; i < parallelism; i++) {
            if (i != subtask && !released[i]) {
                return true;
            }
        }
        return false;
    }

    /** The subtask that takes over released records: the lowest one still running. */
    int adopter() {
        for (int i = 0; i < parallelism; i++) {
            if (!released[i]) {
                return i;
            }
        }
        throw new IllegalStateException("no subtask is running");
    }

    /**
     * Releases {@code subtask}: keeps its received records of the batches that are {@code open} and
     * returns the starts of those batches. Records of batches already closed stay with the subtask,
     * which has their outcome on its way.
     */
    long[] release(int subtask, LongPredicate open) {
        released[subtask] = true;
        TreeMap<Long, List<FeatureRecord>> taken = new TreeMap<>();
        for (Tuple2<Long, FeatureRecord> record : incoming.get(subtask)) {
            if (open.test(record.f0)) {
                taken.computeIfAbsent(record.f0, b -> new ArrayList<>()).add(record.f1);
            }
        }
        incoming.get(subtask).clear();
        for (Map.Entry<Long, List<FeatureRecord>> batch : taken.entrySet()) {
            orphans.computeIfAbsent(batch.getKey(), b -> new ArrayList<>())
                    .addAll(batch.getValue());
        }
        return taken.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /** Removes and returns the released records of the batches that are {@code closed}. */
    TreeMap<Long, List<FeatureRecord>> takeOrphans(LongPredicate closed) {
        TreeMap<Long, List<FeatureRecord>> taken = new TreeMap<>();
        while (!orphans.isEmpty() && closed.test(orphans.firstKey())) {
            Map.Entry<Long, List<FeatureRecord>> batch = orphans.pollFirstEntry();
            taken.put(batch.getKey(), batch.getValue());
        }
        return taken;
    }

    void clear() {
        incoming.forEach(List::clear);
        Arrays.fill(released, false);
        orphans.clear();
    }

    void snapshot(DataOutputView out) throws IOException {
        out.writeInt(released.length);
        for (boolean r : released) {
            out.writeBoolean(r);
        }
        out.writeInt(orphans.size());
        for (Map.Entry<Long, List<FeatureRecord>> batch : orphans.entrySet()) {
            out.writeLong(batch.getKey());
            GlobalMessages.writeList(FeatureRecordSerializer.INSTANCE, batch.getValue(), out);
        }
    }

    /** Restores a snapshot; who was released only if {@code sameParallelism}. */
    void restore(DataInputView in, boolean sameParallelism) throws IOException {
        int subtasks = in.readInt();
        for (int i = 0; i < subtasks; i++) {
            boolean r = in.readBoolean();
            if (sameParallelism) {
                released[i] = r;
            }
        }
        int batches = in.readInt();
        for (int i = 0; i < batches; i++) {
            long batch = in.readLong();
            orphans.put(batch, GlobalMessages.readList(FeatureRecordSerializer.INSTANCE, in));
        }
    }
}
