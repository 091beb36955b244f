package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The normalizing operator's metrics, under the operator's metric group: {@code recordsNormalized},
 * {@code deadLetters.<code>}, {@code batches}, {@code singleValueBatches} (batches with n = 1,
 * normalized with the running stats) and {@code lateRecords}.
 */
final class NormMetrics {
    final Counter recordsNormalized;
    final Counter batches;
    final Counter singleValueBatches;
    final Counter lateRecords;
    final Counter keys;
    private final Map<ErrorCode, Counter> deadLetters = new EnumMap<>(ErrorCode.class);

    NormMetrics(MetricGroup group) {
        this.recordsNormalized = group.counter("recordsNormalized");
        this.batches = group.counter("batches");
        this.singleValueBatches = group.counter("singleValueBatches");
        this.lateRecords = group.counter("lateRecords");
        this.keys = group.counter("keys");
        MetricGroup dead = group.addGroup("deadLetters");
        for (ErrorCode code : ErrorCode.values()) {
            deadLetters.put(code, dead.counter(code.code()));
        }
    }

    void deadLetter(ErrorCode code) {
        deadLetters.get(code).inc();
    }
}
