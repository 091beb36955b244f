package dev.streamnorm.operators.compat;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.RecordShape;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Writes the savepoints that the compatibility tests restore, in the state formats of the current
 * build: for train mode (count batches) and online mode, each taken once with the HashMap and once
 * with the RocksDB state backend, with an {@code expected.json} beside each mode's savepoints.
 *
 * <p>Each job reads {@link #INPUT} records of five keys (parallelism 1, so each key's records keep
 * their order) into the normalizing operator (parallelism 2), then its source stays open. When
 * every record has passed the source, the job is stopped with a canonical savepoint: the savepoint
 * barrier follows the records, so the savepoint holds the state after exactly these records: in
 * train mode, running stats for four keys and open batches for three (one key has no running stats
 * yet); in online mode, moments for all five. The expected values are computed independently, by
 * {@link TrainReplay} and {@link OnlineReplay}.
 *
 * <p>Not run by the tests. A committed format directory is never regenerated; when a state format
 * changes, write the new format into a new directory (it refuses to write into an existing one):
 *
 * <pre>
 * mvn -B -q -pl operators -am test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
 * java -cp operators/target/test-classes:operators/target/classes:$(cat operators/target/test-classpath.txt) \
 *     dev.streamnorm.operators.compat.SavepointGenerator operators/src/test/resources/savepoints/v2
 * </pre>
 */
public final class SavepointGenerator {
    static final int INPUT = 30;
    private static final String[] KEYS = {
        "sensor-a", "sensor-b", "sensor-c", "sensor-d", "sensor-e"
    };
    private static final int[] RECORDS_PER_KEY = {11, 8, 5, 2, 4};
    private static final List<String> KEY_SEQUENCE = keySequence();

    static final ExpectedState.JobSettings TRAIN =
            new ExpectedState.JobSettings(
                    Mode.TRAIN.id(),
                    3,
                    4,
                    0.1,
                    1e-5,
                    new double[] {1.5, 1.0, 0.5},
                    new double[] {0.0, -1.0, 2.0},
                    2);
    static final ExpectedState.JobSettings ONLINE =
            new ExpectedState.JobSettings(Mode.ONLINE.id(), 3, 4, 0.25, 1e-5, null, null, 2);

    private SavepointGenerator() {}

    public static void main(String[] args) throws Exception {
        checkArgument(args.length == 1, "usage: SavepointGenerator OUTPUT_DIRECTORY");
        Path out = Paths.get(args[0]);
        checkArgument(!Files.exists(out), "%s exists: formats are never regenerated", out);
        write(out.resolve(Mode.TRAIN.id()), Mode.TRAIN, TRAIN, expectedTrain());
        write(out.resolve(Mode.ONLINE.id()), Mode.ONLINE, ONLINE, expectedOnline());
    }

    private static void write(
            Path dir, Mode mode, ExpectedState.JobSettings job, ExpectedState expected)
            throws Exception {
        Files.createDirectories(dir);
        expected.write(dir.resolve("expected.json"));
        Normalization normalization = job.builder(mode).build();
        for (Backend backend : Backend.values()) {
            Path taken =
                    Paths.get(URI.create(takeSavepoint(normalization, backend, job.parallelism())));
            moveContents(taken, dir.resolve(backend.id()));
        }
    }

    static ExpectedState expectedTrain() {
        TrainReplay replay =
                new TrainReplay(
                        TRAIN.builder(Mode.TRAIN)
                                .build()
                                .batchNorm(RecordShape.vector(TRAIN.channels())),
                        TRAIN.batchSize());
        for (long i = 0; i < INPUT; i++) {
            replay.accept(record(i));
        }
        TreeMap<String, ExpectedState.Stats> stats = new TreeMap<>();
        replay.stats().forEach((key, s) -> stats.put(key, ExpectedState.Stats.of(s)));
        TreeMap<String, List<ExpectedState.Record>> pending = new TreeMap<>();
        replay.pending()
                .forEach(
                        (key, records) ->
                                pending.put(
                                        key,
                                        records.stream().map(ExpectedState.Record::of).toList()));
        return new ExpectedState(TRAIN, stats, pending, null);
    }

    private static ExpectedState expectedOnline() {
        OnlineReplay replay = new OnlineReplay(ONLINE.momentum(), ONLINE.eps());
        for (long i = 0; i < INPUT; i++) {
            replay.accept(record(i));
        }
        TreeMap<String, ExpectedState.Moments> moments = new TreeMap<>();
        replay.moments().forEach((key, m) -> moments.put(key, ExpectedState.Moments.of(m)));
        return new ExpectedState(ONLINE, null, null, moments);
    }

    /**
     * Runs the job with the normalizing operator at {@code parallelism} until all input has passed
     * the source, then stops it with a savepoint; returns the savepoint's URI.
     */
    static String takeSavepoint(Normalization normalization, Backend backend, int parallelism)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, backend.id());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        DataStream<FeatureRecord> records =
                env.fromSource(
                                new OpenEndedSequenceSource(INPUT),
                                WatermarkStrategy.noWatermarks(),
                                "input")
                        .uid("input")
                        .setParallelism(1)
                        .map(new CountedRecords())
                        .returns(FeatureRecordTypeInfoFactory.TYPE_INFO)
                        .uid("records")
                        .setParallelism(1);
        normalization.apply(records).sinkTo(new DiscardingSink<>()).uid("discard");

        CountedRecords.EMITTED.set(0);
        JobClient job = env.executeAsync("savepoint generator (" + backend.id() + ")");
        while (CountedRecords.EMITTED.get() < INPUT) {
            Thread.sleep(10);
        }
        Path target = Files.createTempDirectory("streamnorm-savepoint");
        for (int attempt = 1; ; attempt++) {
            try {
                return job.stopWithSavepoint(
                                false, target.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
            } catch (ExecutionException e) {
                // Fails while a downstream task is still starting (RocksDB takes a moment).
                if (attempt == 50) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static void moveContents(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.move(file, to.resolve(file.getFileName()));
            }
        }
    }

    /**
     * Input record {@code i}: keys in a fixed interleaved order, values drifting by key, the JSON
     * payload it was parsed from and its line in an input file.
     */
    static FeatureRecord record(long i) {
        String key = KEY_SEQUENCE.get((int) i);
        int k = Arrays.asList(KEYS).indexOf(key);
        SplittableRandom random = new SplittableRandom(0x5A7E_0001L + i);
        double[] values = new double[TRAIN.channels()];
        for (int c = 0; c < values.length; c++) {
            values[c] = 10.0 * k - 3.0 * c + (1 + c) * (random.nextDouble() - 0.5);
        }
        long timestamp = 1_732_272_000_000L + 1000 * i;
        String payload =
                String.format(
                        "{\"key\":\"%s\",\"ts\":%d,\"values\":%s,\"id\":%d}",
                        key, timestamp, Arrays.toString(values).replace(" ", ""), i);
        return new FeatureRecord(
                key,
                timestamp,
                values,
                payload.getBytes(StandardCharsets.UTF_8),
                Origin.file("input.jsonl", i + 1));
    }

    /** The keys of the input in order: round robin over the keys that still have records. */
    private static List<String> keySequence() {
        int[] left = RECORDS_PER_KEY.clone();
        List<String> sequence = new ArrayList<>();
        while (sequence.size() < INPUT) {
            for (int k = 0; k < KEYS.length; k++) {
                if (left[k]-- > 0) {
                    sequence.add(KEYS[k]);
                }
            }
        }
        return sequence;
    }

    /** Maps ids to input records and counts them, so the generator knows when all have passed. */
    static final class CountedRecords implements MapFunction<Long, FeatureRecord> {
        private static final long serialVersionUID = 1L;
        static final AtomicLong EMITTED = new AtomicLong();

        @Override
        public FeatureRecord map(Long i) {
            FeatureRecord record = record(i);
            EMITTED.incrementAndGet();
            return record;
        }
    }
}
