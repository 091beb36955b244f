package dev.streamnorm.bench.pipeline;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** Discards records, counting them; reports the end of input to {@link Probe}. */
final class CountingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer<>();
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private long count;
        private long cpuStart;
        private boolean done;

        @Override
        public void write(T element, Context context) {
            if (count++ == 0) {
                cpuStart = Probe.threadCpu();
            }
        }

        private void done() {
            done = true;
            Probe.sinkDone(count);
            if (count > 0) {
                // The writer runs in the normalizing operator's thread (chained).
                Probe.taskCpu(Probe.threadCpu() - cpuStart);
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            if (endOfInput && !done) {
                done();
            }
        }

        @Override
        public void close() {
            if (!done) {
                done();
            }
        }
    }
}
