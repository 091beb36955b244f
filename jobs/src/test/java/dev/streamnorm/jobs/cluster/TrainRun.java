package dev.streamnorm.jobs.cluster;

import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.RecordShape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The run the Kafka fault tests check: {@code streamnorm run} training on {@link SequencedFeatures}
 * from topic {@code input} to {@code output} and {@code dead-letters}, exactly-once, count batches
 * without timeout, a checkpoint every second, {@code --bounded}, the final stats written by {@code
 * --stats-out}, so that they can be compared with {@link ReferenceStats}.
 */
final class TrainRun {
    final SequencedFeatures input;
    final int batchSize;

    TrainRun(SequencedFeatures input, int batchSize) {
        this.input = input;
        this.batchSize = batchSize;
    }

    /** The options of the run, after {@code run}; callers may add more. */
    List<String> options(String bootstrap, Path checkpoints, Path statsOut) {
        String topics = "kafka://" + bootstrap + "/";
        return new ArrayList<>(
                List.of(
                        "--input",
                        topics + "input",
                        "--output",
                        topics + "output",
                        "--dead-letter",
                        topics + "dead-letters",
                        "--mode",
                        "train",
                        "--shape",
                        Integer.toString(input.channels),
                        "--batch-size",
                        Integer.toString(batchSize),
                        "--batch-timeout",
                        "0s",
                        "--checkpoint-interval",
                        "1s",
                        "--delivery",
                        "exactly-once",
                        "--checkpoint-dir",
                        checkpoints.toUri().toString(),
                        "--bounded",
                        "--stats-out",
                        statsOut.toString()));
    }

    /**
     * The records a run puts out, outputs and dead letters, from all of its input with a seq below
     * {@code seq}: every bad record, and of every key's good records those that fill whole batches
     * (the rest waits for more input).
     */
    long recordsOutBelow(int seq) {
        long out = 0;
        for (int k = 0; k < input.keys; k++) {
            int bad = input.badSeq(k) < seq ? 1 : 0;
            out += bad + (seq - bad) / batchSize * batchSize;
        }
        return out;
    }

    /** Asserts that the stats file of the run holds the stats of a failure-free run, bitwise. */
    void assertFinalStats(Path statsOut) {
        RecordShape shape = RecordShape.vector(input.channels);
        Normalization normalization =
                Normalization.builder()
                        .setShape(shape)
                        .setBatchSize(batchSize)
                        .setBatchTimeout(Duration.ZERO)
                        .build();
        ReferenceStats.assertFinalStats(statsOut, input, normalization, shape);
    }
}
