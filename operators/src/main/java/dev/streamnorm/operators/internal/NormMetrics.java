package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The normalizing operator's metrics, under the operator's metric group: {@code recordsNormalized},
 * {@code deadLetters.<code>}, {@code batches}, {@code singleValueBatches} (batches with n = 1,
 * normalized with the running stats), {@code lateRecords} and {@code lateStatsUpdates} (stats
 * updates that arrived behind the watermark, see {@link FollowingEvalFunction}).
 */
public final class NormMetrics {
    public final Counter recordsNormalized;
    public final Counter batches;
    public final Counter singleValueBatches;
    public final Counter lateRecords;
    public final Counter keys;
    public final Counter lateStatsUpdates;
    private final Map<ErrorCode, Counter> deadLetters = new EnumMap<>(ErrorCode.class);

    public NormMetrics(MetricGroup group) {
        this.recordsNormalized = group.counter("recordsNormalized");
        this.batches = group.counter("batches");
        this.singleValueBatches = group.counter("singleValueBatches");
        this.lateRecords = group.counter("lateRecords");
        this.keys = group.counter("keys");
        this.lateStatsUpdates = group.counter("lateStatsUpdates");
        MetricGroup dead = group.addGroup("deadLetters");
        for (ErrorCode code : ErrorCode.values()) {
            deadLetters.put(code, dead.counter(code.code()));
        }
    }

    public void deadLetter(ErrorCode code) {
        deadLetters.get(code).inc();
    }
}
