package dev.streamnorm.bench.pipeline;

import java.util.List;

/**
 * A floor of the operator benchmark: the train job's graph on the same records without Flink state,
 * keyed as the job is (in place at parallelism 1, over a keyBy wider) unless it is {@link
 * #KEYBY_ONLY}.
 */
enum Floor {
    /** A keyed pass-through: what Flink's source, keying and sink cost by themselves. */
    KEYED_ONLY,
    /** The operator's work with its batches in a HashMap ({@link HeapMapTrainOperator}). */
    KEYED_HEAPMAP,
    /**
     * A pass-through over a keyBy even at parallelism 1, where the job keys in place: the floor the
     * operator bar was first written against.
     */
    KEYBY_ONLY;

    /** The floors run at {@code parallelism}. */
    static List<Floor> at(int parallelism) {
        return parallelism == 1
                ? List.of(KEYED_ONLY, KEYED_HEAPMAP, KEYBY_ONLY)
                : List.of(KEYED_ONLY, KEYED_HEAPMAP);
    }

    /** Whether records reach the floor's keyed function over a keyBy at {@code parallelism}. */
    boolean overKeyBy(int parallelism) {
        return this == KEYBY_ONLY || parallelism != 1;
    }

    /** The floor's name in the report, such as {@code keyed in place only (no state) p=1}. */
    String label(int parallelism) {
        String keyed = overKeyBy(parallelism) ? "keyBy" : "keyed in place";
        String work = this == KEYED_HEAPMAP ? " + train in HashMap" : " only (no state)";
        return keyed + work + " p=" + parallelism;
    }
}
