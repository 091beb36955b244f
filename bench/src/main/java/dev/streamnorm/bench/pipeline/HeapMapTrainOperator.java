package dev.streamnorm.bench.pipeline;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.internal.RecordCheck;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A floor of the operator benchmark: keyed as the job is, train mode with count batches done the
 * way the operator does it (the record check, records held until their batch is full, moments over
 * a copy of the batch's values, {@link BatchNorm}, normalization in place), with each key's batch
 * and running stats in a Java {@code HashMap} of this subtask instead of Flink keyed state. Not
 * fault tolerant: nothing is in a checkpoint. What the operator costs beyond it is Flink's keyed
 * state.
 */
final class HeapMapTrainOperator extends AbstractStreamOperator<FeatureRecord>
        implements OneInputStreamOperator<FeatureRecord, FeatureRecord>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final Normalization config;
    private transient Map<String, KeyBatch> keys;
    private transient BatchNorm layer;
    private transient ChannelNormalizer normalizer;
    private transient double[][] rows;
    private transient StreamRecord<FeatureRecord> out;

    HeapMapTrainOperator(Normalization config) {
        this.config = config;
    }

    /** One key's open batch and running stats. */
    private static final class KeyBatch {
        final FeatureRecord[] records;
        int size;
        final RunningStats stats;

        KeyBatch(int batchSize, int channels) {
            records = new FeatureRecord[batchSize];
            stats = RunningStats.initial(channels);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        keys = new HashMap<>();
        layer = config.batchNorm(config.shape());
        normalizer = layer.newNormalizer();
        rows = new double[config.batchSize()][config.shape().size()];
        out = new StreamRecord<>(null);
    }

    @Override
    public void processElement(StreamRecord<FeatureRecord> element) {
        FeatureRecord record = element.getValue();
        RecordShape shape = config.shape();
        if (RecordCheck.check(record, shape.size(), shape) != null) {
            throw new IllegalStateException("the benchmark's records are valid");
        }
        KeyBatch batch =
                keys.computeIfAbsent(
                        record.key(), k -> new KeyBatch(config.batchSize(), shape.channels()));
        batch.records[batch.size++] = record;
        if (batch.size == config.batchSize()) {
            close(batch);
        }
    }

    @Override
    public void endInput() {
        for (KeyBatch batch : keys.values()) {
            if (batch.size > 0) {
                close(batch);
            }
        }
    }

    private void close(KeyBatch batch) {
        RecordShape shape = config.shape();
        for (int i = 0; i < batch.size; i++) {
            System.arraycopy(batch.records[i].values(), 0, rows[i], 0, shape.size());
        }
        ChannelMoments moments = new ChannelMoments(shape.channels());
        moments.acceptBatch(rows, batch.size, shape);
        layer.closeBatch(moments, batch.stats, normalizer);
        for (int i = 0; i < batch.size; i++) {
            FeatureRecord record = batch.records[i];
            normalizer.apply(record.values(), record.values());
            output.collect(out.replace(record));
            batch.records[i] = null;
        }
        batch.size = 0;
    }
}
