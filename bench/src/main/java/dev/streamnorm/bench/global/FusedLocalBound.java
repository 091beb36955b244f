package dev.streamnorm.bench.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The floor of global scope's scaling, not global scope: global scope's per-record work in one
 * operator chained to the source (moments per event-time batch, records held until the watermark
 * passes the batch, then normalized), but with each subtask's own batch statistics instead of
 * merged ones: no coordinator, no messages, no subtask waiting for another. Its p2/p1 (records/s
 * and CPU per record) is what a second subtask can gain on this machine for this work at all.
 */
final class FusedLocalBound extends AbstractStreamOperator<FeatureRecord>
        implements OneInputStreamOperator<FeatureRecord, FeatureRecord> {
    private static final long serialVersionUID = 1L;

    private final RecordShape shape;
    private final long interval;
    private transient TreeMap<Long, ChannelMoments> moments;
    private transient TreeMap<Long, List<FeatureRecord>> waiting;
    private transient ChannelNormalizer normalizer;

    FusedLocalBound(RecordShape shape, long interval) {
        this.shape = shape;
        this.interval = interval;
    }

    @Override
    public void open() throws Exception {
        super.open();
        moments = new TreeMap<>();
        waiting = new TreeMap<>();
        normalizer = new ChannelNormalizer(shape, 1e-5, Affine.identity());
    }

    @Override
    public void processElement(StreamRecord<FeatureRecord> element) {
        FeatureRecord record = element.getValue();
        long window = record.timestamp() - Math.floorMod(record.timestamp(), interval);
        moments.computeIfAbsent(window, w -> new ChannelMoments(shape.channels()))
                .acceptRecord(record.values(), shape);
        waiting.computeIfAbsent(window, w -> new ArrayList<>()).add(record);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        while (!waiting.isEmpty() && waiting.firstKey() + interval - 1 <= mark.getTimestamp()) {
            Map.Entry<Long, List<FeatureRecord>> batch = waiting.pollFirstEntry();
            ChannelMoments batchMoments = moments.remove(batch.getKey());
            if (batchMoments.minCount() >= 2) {
                normalizer.useBatch(batchMoments);
            }
            for (FeatureRecord record : batch.getValue()) {
                normalizer.apply(record.values(), record.values());
                output.collect(new StreamRecord<>(record, record.timestamp()));
            }
        }
        super.processWatermark(mark);
    }
}
