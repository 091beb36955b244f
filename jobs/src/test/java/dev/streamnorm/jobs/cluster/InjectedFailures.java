package dev.streamnorm.jobs.cluster;

import dev.streamnorm.jobs.io.RawRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * Passes raw messages through and makes the job fail twice in a whole run, across restarts and
 * processes: once while processing (in {@code map}, at the first message whose {@code seq} reaches
 * {@code processingFailureSeq}) and once while taking a checkpoint (in {@code snapshotState}, at
 * the first checkpoint after this subtask saw a {@code seq} of {@code snapshotFailureSeq}).
 *
 * <p>"Once" is kept by marker files in a directory that every JVM on the machine sees: the subtask
 * that creates a marker throws, every later one finds it and passes.
 */
public final class InjectedFailures extends RichMapFunction<RawRecord, RawRecord>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** The marker of the failure while processing. */
    public static final String PROCESSING_MARKER = "failed-while-processing";

    /** The marker of the failure while taking a checkpoint. */
    public static final String SNAPSHOT_MARKER = "failed-while-snapshotting";

    /** Text of the processing failure, as it appears in the job's exception history. */
    public static final String PROCESSING_MESSAGE = "injected failure while processing";

    /** Text of the snapshot failure, as it appears in the job's exception history. */
    public static final String SNAPSHOT_MESSAGE = "injected failure while snapshotting";

    private static final byte[] SEQ_FIELD = "\"seq\":".getBytes(StandardCharsets.US_ASCII);

    private final String markerDir;
    private final long processingFailureSeq;
    private final long snapshotFailureSeq;

    private transient boolean processingFailureDue;
    private transient boolean snapshotFailureDue;
    private transient long highestSeq;

    public InjectedFailures(Path markerDir, long processingFailureSeq, long snapshotFailureSeq) {
        this.markerDir = markerDir.toString();
        this.processingFailureSeq = processingFailureSeq;
        this.snapshotFailureSeq = snapshotFailureSeq;
    }

    @Override
    public void open(OpenContext openContext) {
        processingFailureDue = !Files.exists(marker(PROCESSING_MARKER));
        snapshotFailureDue = !Files.exists(marker(SNAPSHOT_MARKER));
        highestSeq = -1;
    }

    @Override
    public RawRecord map(RawRecord raw) {
        long seq = seqOf(raw.payload);
        highestSeq = Math.max(highestSeq, seq);
        if (processingFailureDue && seq >= processingFailureSeq) {
            processingFailureDue = false;
            if (claim(PROCESSING_MARKER, "seq " + seq)) {
                throw new IllegalStateException(PROCESSING_MESSAGE + " at seq " + seq);
            }
        }
        return raw;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        if (snapshotFailureDue && highestSeq >= snapshotFailureSeq) {
            snapshotFailureDue = false;
            if (claim(SNAPSHOT_MARKER, "checkpoint " + context.getCheckpointId())) {
                throw new IllegalStateException(
                        SNAPSHOT_MESSAGE + " of checkpoint " + context.getCheckpointId());
            }
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}

    private Path marker(String name) {
        return Paths.get(markerDir, name);
    }

    /** Creates the marker (atomically); false when another subtask or attempt already did. */
    private boolean claim(String name, String where) {
        try {
            Files.writeString(
                    Files.createFile(marker(name)),
                    where
                            + " in subtask "
                            + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()
                            + ", attempt "
                            + getRuntimeContext().getTaskInfo().getAttemptNumber()
                            + "\n");
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number after the first {@code "seq":} of a JSON message, or -1. */
    static long seqOf(byte[] json) {
        outer:
        for (int i = 0; i + SEQ_FIELD.length < json.length; i++) {
            for (int j = 0; j < SEQ_FIELD.length; j++) {
                if (json[i + j] != SEQ_FIELD[j]) {
                    continue outer;
                }
            }
            long seq = 0;
            int digits = 0;
            for (int p = i + SEQ_FIELD.length; p < json.length; p++) {
                byte b = json[p];
                if (b >= '0' && b <= '9') {
                    seq = seq * 10 + (b - '0');
                    digits++;
                } else if (digits > 0 || b != ' ') {
                    break;
                }
            }
            return digits > 0 ? seq : -1;
        }
        return -1;
    }
}
