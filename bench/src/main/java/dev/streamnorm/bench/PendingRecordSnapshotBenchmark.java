package dev.streamnorm.bench;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.typeutils.PendingRecordSerializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a heap checkpoint pays per pending record: {@link PendingRecordSerializer} writing 1,024
 * records of a Kafka job (key, JSON payload, origin topic, 64 values) to a checkpoint stream (a
 * {@link DataOutputViewStreamWrapper} over a buffered stream, as the heap backend writes
 * checkpoints) against writing them to memory ({@link DataOutputSerializer}, as the network and
 * RocksDB do): the floor. Average time in ns per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PendingRecordSnapshotBenchmark {
    static final int RECORDS = 1024;

    private FeatureRecord[] records;
    private DataOutputViewStreamWrapper stream;
    private DataOutputSerializer memory;

    /** A buffered stream that discards what it flushes, unsynchronized as a checkpoint stream. */
    private static final class DiscardingBufferedStream extends OutputStream {
        private final byte[] buffer = new byte[4096];
        private int position;

        @Override
        public void write(int b) {
            if (position == buffer.length) {
                position = 0;
            }
            buffer[position++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            for (int done = 0; done < length; ) {
                if (position == buffer.length) {
                    position = 0;
                }
                int n = Math.min(length - done, buffer.length - position);
                System.arraycopy(bytes, offset + done, buffer, position, n);
                position += n;
                done += n;
            }
        }
    }

    @Setup
    public void setUp() throws IOException {
        SplittableRandom random = BenchData.random(11);
        records = new FeatureRecord[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            double[] values = new double[BenchData.FEATURES];
            Arrays.setAll(values, c -> random.nextGaussian());
            String key = "sensor-" + (i % 1000);
            String json =
                    "{\"key\":\"" + key + "\",\"ts\":" + (1_700_000_000_000L + i) + ",\"values\":";
            String line = json + Arrays.toString(values).replace(" ", "") + "}";
            int start = json.length();
            int end = line.length() - 1;
            records[i] =
                    new FeatureRecord(
                            key,
                            i,
                            values,
                            line.getBytes(StandardCharsets.UTF_8),
                            Origin.kafka("features-in", i % 2, 1_000_000L + i),
                            null,
                            start,
                            end);
        }
        stream = new DataOutputViewStreamWrapper(new DiscardingBufferedStream());
        memory = new DataOutputSerializer(1 << 20);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writeAll(new DataOutputViewStreamWrapper(bytes));
        memory.clear();
        writeAll(memory);
        if (!Arrays.equals(bytes.toByteArray(), memory.getCopyOfBuffer())) {
            throw new IllegalStateException("a stream got other bytes than memory");
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void checkpointStream() throws IOException {
        writeAll(stream);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void memory() throws IOException {
        memory.clear();
        writeAll(memory);
    }

    private void writeAll(DataOutputView out) throws IOException {
        for (FeatureRecord record : records) {
            PendingRecordSerializer.INSTANCE.serialize(record, out);
        }
    }
}
