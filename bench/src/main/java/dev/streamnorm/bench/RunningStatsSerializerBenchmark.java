package dev.streamnorm.bench;

import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.RunningStatsSerializer;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Round trip of a {@link RunningStats} of 64 channels (serialize into a reused {@link
 * DataOutputSerializer}, deserialize from a {@link DataInputDeserializer}): streamnorm's {@link
 * RunningStatsSerializer} against Flink's Kryo fallback, which is what Flink would use without the
 * project's serializer. Throughput, round trips per second.
 *
 * <p>{@link #handWritten} is a floor for reference: the same fields written and read through the
 * public accessors, without format version or array copies.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RunningStatsSerializerBenchmark {
    static final int CHANNELS = BenchData.FEATURES;

    private RunningStats stats;
    private TypeSerializer<RunningStats> streamnorm;
    private TypeSerializer<RunningStats> kryo;
    private DataOutputSerializer out;
    private DataInputDeserializer in;

    @Setup
    public void setUp() throws IOException {
        stats = BenchData.runningStats(BenchData.random(5), CHANNELS);
        streamnorm = RunningStatsSerializer.INSTANCE;
        kryo = new KryoSerializer<>(RunningStats.class, new SerializerConfigImpl());
        out = new DataOutputSerializer(4096);
        in = new DataInputDeserializer();

        for (TypeSerializer<RunningStats> serializer : List.of(streamnorm, kryo)) {
            RunningStats copy = roundTrip(serializer);
            if (!stats.equals(copy)) {
                throw new IllegalStateException(serializer + " changed the value: " + copy);
            }
        }
        if (!stats.equals(roundTripByHand())) {
            throw new IllegalStateException("hand-written round trip changed the value");
        }
    }

    @Benchmark
    public void streamnorm(Blackhole bh) throws IOException {
        bh.consume(roundTrip(streamnorm));
    }

    @Benchmark
    public void kryo(Blackhole bh) throws IOException {
        bh.consume(roundTrip(kryo));
    }

    @Benchmark
    public void handWritten(Blackhole bh) throws IOException {
        bh.consume(roundTripByHand());
    }

    private RunningStats roundTrip(TypeSerializer<RunningStats> serializer) throws IOException {
        out.clear();
        serializer.serialize(stats, out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return serializer.deserialize(in);
    }

    private RunningStats roundTripByHand() throws IOException {
        out.clear();
        int channels = stats.channels();
        out.writeInt(channels);
        for (int c = 0; c < channels; c++) {
            out.writeDouble(stats.mean(c));
        }
        for (int c = 0; c < channels; c++) {
            out.writeDouble(stats.variance(c));
        }
        out.writeLong(stats.numBatchesTracked());

        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        int n = in.readInt();
        double[] mean = new double[n];
        double[] variance = new double[n];
        for (int c = 0; c < n; c++) {
            mean[c] = in.readDouble();
        }
        for (int c = 0; c < n; c++) {
            variance[c] = in.readDouble();
        }
        return RunningStats.of(mean, variance, in.readLong());
    }
}
