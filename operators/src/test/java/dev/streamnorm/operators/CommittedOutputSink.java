package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.typeutils.FeatureRecordSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A test sink that keeps normalized records by id, transactionally: what a subtask writes is kept
 * only when the checkpoint (or savepoint) after it completes, or at the end of input, as with a
 * transactional Kafka sink. So what a job emits after the savepoint it stops with is not kept, and
 * a job restored from that savepoint emits it again. Results go to {@link #OUTPUTS} under the
 * sink's name.
 */
final class CommittedOutputSink implements Sink<FeatureRecord>, SupportsCommitter<byte[]> {
    private static final long serialVersionUID = 1L;

    /** Sink name -> record id -> normalized values. */
    static final Map<String, Map<Long, double[]>> OUTPUTS = new ConcurrentHashMap<>();

    private final String name;

    CommittedOutputSink(String name) {
        this.name = name;
        OUTPUTS.put(name, new ConcurrentHashMap<>());
    }

    /** What the sink named {@code name} kept. */
    static Map<Long, double[]> outputs(String name) {
        return OUTPUTS.get(name);
    }

    @Override
    public SinkWriter<FeatureRecord> createWriter(WriterInitContext context) {
        return new Writer();
    }

    @Override
    public Committer<byte[]> createCommitter(CommitterInitContext context) {
        return new KeepCommitted(name);
    }

    @Override
    public SimpleVersionedSerializer<byte[]> getCommittableSerializer() {
        return new Bytes();
    }

    /** Collects the records of one checkpoint interval; they are the committable. */
    private static final class Writer implements CommittingSinkWriter<FeatureRecord, byte[]> {
        private final List<FeatureRecord> pending = new ArrayList<>();

        @Override
        public void write(FeatureRecord element, Context context) {
            pending.add(element);
        }

        @Override
        public Collection<byte[]> prepareCommit() throws IOException {
            if (pending.isEmpty()) {
                return List.of();
            }
            DataOutputSerializer out = new DataOutputSerializer(1024);
            out.writeInt(pending.size());
            for (FeatureRecord record : pending) {
                FeatureRecordSerializer.INSTANCE.serialize(record, out);
            }
            pending.clear();
            return List.of(out.getCopyOfBuffer());
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
    }

    /** Keeps committed records by id; a record kept twice fails the test. */
    private static final class KeepCommitted implements Committer<byte[]> {
        private final String name;

        KeepCommitted(String name) {
            this.name = name;
        }

        @Override
        public void commit(Collection<CommitRequest<byte[]>> requests) throws IOException {
            for (CommitRequest<byte[]> request : requests) {
                DataInputDeserializer in = new DataInputDeserializer(request.getCommittable());
                int size = in.readInt();
                for (int i = 0; i < size; i++) {
                    FeatureRecord record = FeatureRecordSerializer.INSTANCE.deserialize(in);
                    double[] previous =
                            OUTPUTS.get(name).put(GlobalScopeData.id(record), record.values());
                    assertThat(previous).as("record %s kept twice", record).isNull();
                }
            }
        }

        @Override
        public void close() {}
    }

    /** The committable is already bytes. */
    private static final class Bytes implements SimpleVersionedSerializer<byte[]> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(byte[] obj) {
            return obj;
        }

        @Override
        public byte[] deserialize(int version, byte[] serialized) {
            return serialized;
        }
    }
}
