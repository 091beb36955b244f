package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.state.RecordShape;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Deterministic input of the global-scope tests: which subtask reads which record, each record's
 * event time and values. Record {@code id} carries its id as its origin's position, so outputs are
 * matched per record.
 */
final class GlobalScopeData {
    /** The one key of every record (the keyed baseline keys everything by it). */
    static final String KEY = "k";

    static final long SEED = 20_251_122L;

    // Per channel: values are OFFSET[c] + SCALE[c] * N(0, 1).
    private static final double[] OFFSET = {5.0, -3.0, 20.0, 0.25};
    private static final double[] SCALE = {1.0, 0.5, 2.0, 0.01};

    private GlobalScopeData() {}

    /** The event times of the records each subtask reads, in reading order; ids are global. */
    static final class Layout implements Serializable {
        private static final long serialVersionUID = 1L;

        private final long[][] perSubtask;
        private final long[] timestamps;
        private final int[] subtasks;

        Layout(long[]... perSubtask) {
            this.perSubtask = perSubtask.clone();
            int total = 0;
            for (long[] times : perSubtask) {
                total += times.length;
            }
            this.timestamps = new long[total];
            this.subtasks = new int[total];
            int id = 0;
            for (int s = 0; s < perSubtask.length; s++) {
                for (long time : perSubtask[s]) {
                    timestamps[id] = time;
                    subtasks[id++] = s;
                }
            }
        }

        int parallelism() {
            return perSubtask.length;
        }

        int size() {
            return timestamps.length;
        }

        long[] sizes() {
            long[] sizes = new long[perSubtask.length];
            for (int s = 0; s < sizes.length; s++) {
                sizes[s] = perSubtask[s].length;
            }
            return sizes;
        }

        /** The number of records subtask {@code s} reads. */
        int count(int subtask) {
            return perSubtask[subtask].length;
        }

        long timestamp(long id) {
            return timestamps[(int) id];
        }

        int subtask(long id) {
            return subtasks[(int) id];
        }

        /** Record {@code id}: key {@link #KEY}, its event time, its values, its id as origin. */
        FeatureRecord record(long id, RecordShape shape) {
            return new FeatureRecord(
                    KEY, timestamp(id), values(id, shape), new byte[0], Origin.file("gen", id));
        }

        /** Every record, by id. */
        List<FeatureRecord> records(RecordShape shape) {
            List<FeatureRecord> records = new ArrayList<>();
            for (long id = 0; id < size(); id++) {
                records.add(record(id, shape));
            }
            return records;
        }
    }

    /** Event times {@code start, start + step, ...} ({@code count} of them). */
    static long[] times(long start, long step, int count) {
        long[] times = new long[count];
        for (int i = 0; i < count; i++) {
            times[i] = start + i * step;
        }
        return times;
    }

    /** The arrays one after the other. */
    static long[] concat(long[]... parts) {
        int total = 0;
        for (long[] part : parts) {
            total += part.length;
        }
        long[] all = new long[total];
        int i = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, all, i, part.length);
            i += part.length;
        }
        return all;
    }

    /** The values of record {@code id}: channel c is OFFSET[c] + SCALE[c] · N(0, 1). */
    static double[] values(long id, RecordShape shape) {
        checkArgument(shape.channels() <= OFFSET.length, "at most %s channels", OFFSET.length);
        SplittableRandom random = new SplittableRandom(SEED * 31 + id);
        double[] values = new double[shape.size()];
        int i = 0;
        for (int c = 0; c < shape.channels(); c++) {
            for (int l = 0; l < shape.positions(); l++) {
                values[i++] = OFFSET[c] + SCALE[c] * random.nextGaussian();
            }
        }
        return values;
    }

    /**
     * The records of {@code layout}, read by {@link SubtaskSequenceSource} at the layout's
     * parallelism (whatever the environment's), each subtask with its own per-event watermarks.
     */
    static DataStream<FeatureRecord> source(
            StreamExecutionEnvironment env, Layout layout, RecordShape shape) {
        return source(env, layout, shape, perEventWatermarks(layout));
    }

    /** The records of {@code layout} with the event time and watermarks of {@code watermarks}. */
    static DataStream<FeatureRecord> source(
            StreamExecutionEnvironment env,
            Layout layout,
            RecordShape shape,
            WatermarkStrategy<Long> watermarks) {
        return env.fromSource(new SubtaskSequenceSource(layout.sizes()), watermarks, "ids")
                .setParallelism(layout.parallelism())
                .map(new ToRecord(layout, shape))
                .setParallelism(layout.parallelism())
                .name("to record");
    }

    /**
     * Event time from the layout and a watermark of {@code max event time − 1} after every record
     * that raises it, so where watermarks stand relative to records does not depend on timing.
     */
    static WatermarkStrategy<Long> perEventWatermarks(Layout layout) {
        return WatermarkStrategy.<Long>forGenerator(context -> new PerEventWatermarks())
                .withTimestampAssigner((id, previous) -> layout.timestamp(id));
    }

    /** Punctuated {@code forMonotonousTimestamps}: the watermark follows every new maximum. */
    static final class PerEventWatermarks implements WatermarkGenerator<Long> {
        private long max = Long.MIN_VALUE;

        @Override
        public void onEvent(Long id, long timestamp, WatermarkOutput output) {
            if (timestamp > max) {
                max = timestamp;
                output.emitWatermark(new Watermark(timestamp - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    /** Id to record. */
    static final class ToRecord implements MapFunction<Long, FeatureRecord> {
        private static final long serialVersionUID = 1L;
        private final Layout layout;
        private final RecordShape shape;

        ToRecord(Layout layout, RecordShape shape) {
            this.layout = layout;
            this.shape = shape;
        }

        @Override
        public FeatureRecord map(Long id) {
            return layout.record(id, shape);
        }
    }

    /** The id a record carries. */
    static long id(FeatureRecord record) {
        return record.origin().position();
    }
}
