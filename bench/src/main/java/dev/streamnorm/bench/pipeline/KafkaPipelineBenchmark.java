package dev.streamnorm.bench.pipeline;

import dev.streamnorm.jobs.demo.EmbeddedKafka;
import dev.streamnorm.jobs.io.Connectors;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.io.RawRecord;
import dev.streamnorm.jobs.io.SinkProducerSettings;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.jobs.pipeline.NormalizeJob;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StreamnormOptions;
import dev.streamnorm.state.RecordShape;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;

/**
 * Benchmark B: Kafka → normalize → Kafka on an in-process broker, for the Flink job ({@link
 * NormalizeJob} exactly-once and at-least-once) and a plain Java consume-normalize-produce loop
 * ({@link PlainKafkaLoop}, at-least-once and transactional), all in one JVM and one run.
 *
 * <p>Each variant of each repetition gets fresh topics and goes through two phases:
 *
 * <ol>
 *   <li>Throughput: a backlog of N records is produced first, then the pipeline starts and a {@code
 *       read_committed} consumer ({@link OutputFollower}) times how fast outputs become visible.
 *       Latency means nothing here (a backlog record waits for those before it).
 *   <li>Latency: with the pipeline still running, a producer sends M more records at a fixed rate
 *       well below capacity, each stamped with its send time; latency is the time the consumer sees
 *       the output minus that stamp. In train mode a record also waits for the rest of its batch
 *       (32 records of its key), so two figures are printed: every record, and the record that
 *       closed each batch (pipeline and commit latency only).
 * </ol>
 *
 * <pre>
 * bench/pipeline-bench kafka [--records 320000] [--latency-records 32000] [--rate 5000] [--reps 3]
 *     [--variants flink-eo,flink-alo,plain-alo,plain-eo[,flink-eo-layer,flink-eo-keyed-layer,
 *     flink-eo-kafka-batching,flink-eo-keyby]]
 *     [--parallelism 1]
 *     [--warmup-records 160000] [--warmup-passes 1]
 * </pre>
 */
public final class KafkaPipelineBenchmark {
    static final double EO_BAR = 0.9;
    static final double PLAIN_BAR = 0.5;

    /**
     * The bar of the Flink job exactly-once against the plain transactional loop: records per
     * CPU-second of the process in the sustained phase (start-up and end excluded, as the file
     * benchmark's marginal CPU).
     */
    static final double EO_CPU_BAR = 0.95;

    private static final String EO_PAIR = "Flink / plain loop, exactly-once";

    /**
     * The variant that is Flink's floor of an exactly-once Kafka job with this codec: the same job
     * with layer norm, a per-record norm chained to the decoder (no keyBy, no keyed state, nothing
     * held), so what remains is the source, the codec, the transactional sink and checkpoints.
     */
    static final String FLOOR = "flink-eo-layer";

    /**
     * The floor with a keyBy: {@link #FLOOR} with the raw messages sent over a keyBy on their Kafka
     * key before the decoder, as the batch-norm job sends its decoded records. What is left between
     * it and {@code flink-eo} is keyed state and the records held until their batch is full.
     */
    static final String KEYED_FLOOR = "flink-eo-keyed-layer";

    /**
     * The exactly-once job with the Kafka producer's own batching (16 KiB batches, 5 ms linger),
     * given as {@code --kafka-property} settings, to show what the sinks' batching ({@link
     * SinkProducerSettings}) saves.
     */
    static final String KAFKA_BATCHING = "flink-eo-kafka-batching";

    /**
     * The exactly-once job with its records shipped over a keyBy to the normalize operator ({@code
     * streamnorm.keyed-in-place: false}), as at parallelism 2 and more, to show what keying in
     * place at parallelism 1 saves.
     */
    static final String KEYBY = "flink-eo-keyby";

    /** The Flink variants: the norm, the delivery and the Kafka client settings of each. */
    private static final Map<String, FlinkVariant> FLINK_VARIANTS =
            Map.of(
                    "flink-eo",
                    new FlinkVariant(Norm.BATCH, Delivery.EXACTLY_ONCE),
                    "flink-alo",
                    new FlinkVariant(Norm.BATCH, Delivery.AT_LEAST_ONCE),
                    FLOOR,
                    new FlinkVariant(Norm.LAYER, Delivery.EXACTLY_ONCE),
                    KEYED_FLOOR,
                    new FlinkVariant(Norm.LAYER, Delivery.EXACTLY_ONCE).keyByBeforeDecode(),
                    KAFKA_BATCHING,
                    new FlinkVariant(Norm.BATCH, Delivery.EXACTLY_ONCE)
                            .withKafka(Map.of("batch.size", "16384", "linger.ms", "5")),
                    KEYBY,
                    new FlinkVariant(Norm.BATCH, Delivery.EXACTLY_ONCE).notKeyedInPlace());

    private static final class FlinkVariant {
        final Norm norm;
        final Delivery delivery;
        KafkaSettings kafka = KafkaSettings.none();
        boolean keyByBeforeDecode;
        boolean keyedInPlace = true;

        FlinkVariant(Norm norm, Delivery delivery) {
            this.norm = norm;
            this.delivery = delivery;
        }

        FlinkVariant withKafka(Map<String, String> properties) {
            kafka = new KafkaSettings(properties);
            return this;
        }

        FlinkVariant keyByBeforeDecode() {
            keyByBeforeDecode = true;
            return this;
        }

        FlinkVariant notKeyedInPlace() {
            keyedInPlace = false;
            return this;
        }
    }

    private final Args args;
    private final int keys;
    private final int features;
    private final long records;
    private final long latencyRecords;
    private final long warmupRecords;
    private final int warmupPasses;
    private final int rate;
    private final int reps;
    private final List<String> variants;
    private final int parallelism;
    private final int partitions;
    private final Duration checkpointInterval;
    private final Duration batchTimeout;
    private final String stateBackend;
    private final Duration timeout;
    private final PipelineData data;
    private final Map<String, List<VariantResult>> results = new LinkedHashMap<>();
    // Without a checkpoint directory, Flink keeps checkpoints in JobManager memory, which rejects
    // state over 5 MB: the pending records of 1000 keys are more than that.
    private final Path checkpoints;
    private final List<String> ratioLines = new ArrayList<>();
    private final BrokerThreads broker = new BrokerThreads();
    private final Map<String, List<Double>> sustainedCpuRatios = new LinkedHashMap<>();
    private final Map<String, List<Double>> sustainedCpuNoJitRatios = new LinkedHashMap<>();
    private final Map<String, List<Double>> sustainedPipelineCpuRatios = new LinkedHashMap<>();

    private KafkaPipelineBenchmark(Args args) {
        this.args = args;
        this.keys = args.intValue("keys", 1000);
        this.features = args.intValue("features", 32);
        this.records = args.longValue("records", 320_000);
        this.latencyRecords = args.longValue("latency-records", 32_000);
        this.warmupRecords = args.longValue("warmup-records", 160_000);
        this.warmupPasses = args.intValue("warmup-passes", 1);
        this.rate = args.intValue("rate", 5000);
        this.reps = args.intValue("reps", 3);
        this.variants = args.list("variants", "flink-eo,flink-alo,plain-alo,plain-eo");
        this.parallelism = args.intValue("parallelism", 1);
        this.partitions = args.intValue("partitions", 2);
        this.checkpointInterval = args.duration("checkpoint-interval", Duration.ofSeconds(1));
        this.batchTimeout = args.duration("batch-timeout", Duration.ZERO);
        this.stateBackend = args.string("state-backend", "hashmap");
        this.timeout = args.duration("timeout", Duration.ofSeconds(240));
        args.checkAllUsed();
        long round = (long) keys * OperatorJob.BATCH_SIZE;
        if (records % round != 0 || latencyRecords % round != 0 || warmupRecords % round != 0) {
            // Otherwise batches stay open (batch-timeout 0) and the closing-record count is off.
            throw new IllegalArgumentException(
                    String.format(
                            "--records, --latency-records and --warmup-records must be multiples"
                                    + " of keys x batch size = %d, got %d, %d and %d",
                            round, records, latencyRecords, warmupRecords));
        }
        this.data = new PipelineData(keys, features);
        try {
            this.checkpoints = Files.createTempDirectory("streamnorm-bench-checkpoints");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] argv) throws Exception {
        new KafkaPipelineBenchmark(new Args(argv)).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Report.environment("Kafka pipeline benchmark (B): Kafka -> normalize -> Kafka", args);
        Report.line(
                "records: JSON, %d features, %d keys (round robin), train mode, batch size %d,"
                        + " batch-timeout %s; backlog %,d records, then %,d paced at %,d/s;"
                        + " checkpoint / commit interval %d ms; Flink parallelism %d, %s;"
                        + " %d partitions per topic",
                features,
                keys,
                OperatorJob.BATCH_SIZE,
                batchTimeout,
                records,
                latencyRecords,
                rate,
                checkpointInterval.toMillis(),
                parallelism,
                stateBackend,
                partitions);
        try (EmbeddedKafka kafka = quietly()) {
            Report.line("in-process Kafka broker at %s", kafka.bootstrapServers());
            Report.line("");
            // The JIT compiles Flink's, Kafka's and the codec's hot paths for a long time (C2 takes
            // a third of the CPU in the first minutes); a short warm-up leaves repetition 1 slow.
            for (int pass = 1; pass <= warmupPasses; pass++) {
                Report.line(
                        "-- warm-up %d of %d (not counted): %,d records through each variant --",
                        pass, warmupPasses, warmupRecords);
                for (String variant : variants) {
                    Report.line(
                            runVariant(kafka, variant, "warmup" + pass, warmupRecords, 0)
                                    .describe(false));
                }
            }
            for (int rep = 1; rep <= reps; rep++) {
                Report.line("");
                Report.line("-- repetition %d of %d --", rep, reps);
                Map<String, VariantResult> byVariant = new LinkedHashMap<>();
                // Rotate the order so that no variant always runs first (or last).
                for (int v = 0; v < variants.size(); v++) {
                    String variant = variants.get((v + rep - 1) % variants.size());
                    VariantResult result =
                            runVariant(kafka, variant, "r" + rep, records, latencyRecords);
                    Report.line(result.describe(true));
                    byVariant.put(variant, result);
                    results.computeIfAbsent(variant, k -> new ArrayList<>()).add(result);
                }
                compareOutputs(byVariant);
                ratios(rep, byVariant);
            }
        }
        summary();
        deleteRecursively(checkpoints);
        System.out.flush();
    }

    /** Records that close exactly one batch of every key. */
    private long round() {
        return (long) keys * OperatorJob.BATCH_SIZE;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    private EmbeddedKafka quietly() throws Exception {
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return broker.start();
        } finally {
            System.setOut(original);
        }
    }

    /** One variant: fresh topics, backlog, throughput phase, latency phase, clean-up. */
    private VariantResult runVariant(
            EmbeddedKafka kafka, String variant, String label, long backlog, long paced)
            throws Exception {
        Report.settle();
        String prefix = label + "-" + variant;
        String in = prefix + "-in";
        String out = prefix + "-out";
        String dead = prefix + "-dead";
        kafka.createTopics(partitions, in, out);
        kafka.createTopics(1, dead);
        String bootstrap = kafka.bootstrapServers();
        double produceRate;
        try (InputProducer producer = new InputProducer(bootstrap, in, data, false)) {
            produceRate = producer.backlog(0, backlog);
        }
        Report.settle();
        VariantResult result = new VariantResult(variant, produceRate);
        result.threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        result.follower =
                new OutputFollower(bootstrap, out, backlog, OperatorJob.BATCH_SIZE, broker);
        try (AutoCloseable pipeline = start(variant, bootstrap, in, out, dead, prefix)) {
            long start = System.nanoTime();
            long cpuStart = Probe.processCpu();
            long produceStart = BrokerRequests.count("Produce");
            long fetchStart = BrokerRequests.count("Fetch");
            awaitOutputs(result, variant, backlog);
            result.cpuMicrosPerRecord = (Probe.processCpu() - cpuStart) / 1e3 / backlog;
            result.producePer1000 =
                    (BrokerRequests.count("Produce") - produceStart) * 1e3 / backlog;
            result.fetchPer1000 = (BrokerRequests.count("Fetch") - fetchStart) * 1e3 / backlog;
            result.throughput(backlog, start);
            long latencyStart = System.currentTimeMillis();
            result.follower.measureLatencyFrom(latencyStart);
            try (InputProducer producer = new InputProducer(bootstrap, in, data, true)) {
                producer.paced(backlog, backlog + paced, rate);
            }
            awaitOutputs(result, variant, backlog + paced);
        } finally {
            deleteRecursively(checkpoints.resolve(prefix));
            result.follower.close();
            try (Admin admin = kafka.admin()) {
                admin.deleteTopics(List.of(in, out, dead)).all().get(60, TimeUnit.SECONDS);
            }
        }
        result.latency();
        return result;
    }

    private void awaitOutputs(VariantResult result, String variant, long n)
            throws InterruptedException {
        if (!result.follower.await(n, timeout)) {
            throw new IllegalStateException(
                    String.format(
                            "%s: only %d of %d outputs after %s",
                            variant, result.follower.count(), n, timeout));
        }
    }

    private AutoCloseable start(
            String variant, String bootstrap, String in, String out, String dead, String name)
            throws Exception {
        FlinkVariant flink = FLINK_VARIANTS.get(variant);
        if (flink != null) {
            return startFlink(flink, bootstrap, in, out, dead, name);
        }
        switch (variant) {
            case "plain-alo":
            case "plain-eo":
                PlainKafkaLoop loop =
                        new PlainKafkaLoop(
                                bootstrap,
                                in,
                                out,
                                dead,
                                variant.equals("plain-eo"),
                                checkpointInterval,
                                features,
                                OperatorJob.BATCH_SIZE,
                                name);
                loop.start();
                return loop;
            default:
                throw new IllegalArgumentException(
                        "unknown variant "
                                + variant
                                + "; use flink-eo, flink-alo, plain-alo, plain-eo, "
                                + FLOOR
                                + ", "
                                + KEYED_FLOOR
                                + ", "
                                + KAFKA_BATCHING
                                + ", "
                                + KEYBY);
        }
    }

    private AutoCloseable startFlink(
            FlinkVariant variant, String bootstrap, String in, String out, String dead, String name)
            throws Exception {
        Normalization normalization =
                Normalization.builder()
                        .setNorm(variant.norm)
                        .setShape(RecordShape.vector(features))
                        .setBatchSize(OperatorJob.BATCH_SIZE)
                        .setBatchTimeout(batchTimeout)
                        .build();
        JobConfig config =
                BenchJobConfig.of(
                        "bench " + name,
                        "kafka://" + bootstrap + "/" + in,
                        "kafka://" + bootstrap + "/" + out,
                        "kafka://" + bootstrap + "/" + dead,
                        normalization,
                        variant.delivery,
                        checkpointInterval,
                        stateBackend,
                        checkpoints.resolve(name).toUri().toString(),
                        parallelism,
                        variant.kafka);
        Configuration conf = NormalizeJob.flinkConfiguration(config);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(StreamnormOptions.KEYED_IN_PLACE, variant.keyedInPlace);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        NormalizeJob.Outputs outputs =
                NormalizeJob.defineWorkflow(
                        keyedIf(variant, Connectors.source(env, config)), config);
        Connectors.sinkRecords(outputs.records, config);
        Connectors.sinkDeadLetters(outputs.deadLetters, config);
        JobClient job = env.executeAsync(config.jobName);
        return () -> {
            job.cancel().get(60, TimeUnit.SECONDS);
            try {
                job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } catch (Exception expected) {
                // Cancelled.
            }
        };
    }

    private static DataStream<RawRecord> keyedIf(FlinkVariant variant, DataStream<RawRecord> raw) {
        return variant.keyByBeforeDecode ? raw.keyBy(r -> r.key, Types.STRING) : raw;
    }

    /** Checks that every pipeline of a repetition wrote the same bytes for the sampled records. */
    private void compareOutputs(Map<String, VariantResult> byVariant) {
        // The floor computes layer norm: its outputs differ by design.
        List<VariantResult> batchNorm =
                byVariant.values().stream()
                        .filter(r -> !r.variant.equals(FLOOR) && !r.variant.equals(KEYED_FLOOR))
                        .collect(Collectors.toList());
        if (batchNorm.isEmpty()) {
            return;
        }
        VariantResult first = batchNorm.get(0);
        StringBuilder text = new StringBuilder();
        for (VariantResult r : batchNorm) {
            long duplicates = r.follower.duplicates();
            long differences = r == first ? 0 : r.follower.differences(first.follower);
            text.append(
                    String.format(
                            Locale.ROOT,
                            "%s%s: %,d sampled outputs, %d differ from %s, %d duplicates",
                            text.length() == 0 ? "" : "; ",
                            r.variant,
                            r.follower.sampled(),
                            differences,
                            first.variant,
                            duplicates));
            if (differences > 0) {
                Report.line("OUTPUT MISMATCH: %s", text);
                throw new IllegalStateException(r.variant + " wrote different outputs");
            }
        }
        Report.line("same outputs: %s", text);
    }

    private void ratios(int rep, Map<String, VariantResult> byVariant) {
        ratio(rep, byVariant, "flink-eo", "flink-alo", "exactly-once / at-least-once", EO_BAR);
        ratio(
                rep,
                byVariant,
                "flink-alo",
                "plain-alo",
                "Flink / plain loop, at-least-once",
                PLAIN_BAR);
        ratio(rep, byVariant, "flink-eo", "plain-eo", EO_PAIR, PLAIN_BAR);
        ratio(
                rep,
                byVariant,
                FLOOR,
                "plain-eo",
                "Flink floor (layer norm) / plain loop",
                PLAIN_BAR);
        ratio(rep, byVariant, "flink-eo", FLOOR, "Flink / its floor (layer norm)", PLAIN_BAR);
        ratio(rep, byVariant, KEYED_FLOOR, FLOOR, "keyed floor / floor", PLAIN_BAR);
        ratio(rep, byVariant, "flink-eo", KEYED_FLOOR, "Flink / keyed floor", PLAIN_BAR);
        ratio(
                rep,
                byVariant,
                "flink-eo",
                KAFKA_BATCHING,
                "Flink, sink batching / Kafka's batching",
                PLAIN_BAR);
        ratio(rep, byVariant, "flink-eo", KEYBY, "Flink, keyed in place / keyBy", PLAIN_BAR);
        ratio(
                rep,
                byVariant,
                "flink-eo",
                "plain-alo",
                "Flink exactly-once / plain at-least-once",
                PLAIN_BAR);
        ratio(
                rep,
                byVariant,
                "plain-eo",
                "plain-alo",
                "plain transactional / plain at-least-once",
                EO_BAR);
    }

    private void ratio(
            int rep,
            Map<String, VariantResult> byVariant,
            String a,
            String b,
            String what,
            double bar) {
        VariantResult x = byVariant.get(a);
        VariantResult y = byVariant.get(b);
        if (x == null || y == null) {
            return;
        }
        String line =
                String.format(
                        Locale.ROOT,
                        "rep %d  %-42s sustained %.3f  drain %.3f  total %.3f  CPU/record"
                                + " %.3f, sustained %.3f, without JIT %.3f, pipeline only %.3f   (bar %.2f on sustained: %s)",
                        rep,
                        what,
                        x.sustained / y.sustained,
                        x.drain / y.drain,
                        x.total / y.total,
                        y.cpuMicrosPerRecord / x.cpuMicrosPerRecord,
                        y.sustainedCpuMicrosPerRecord / x.sustainedCpuMicrosPerRecord,
                        y.sustainedCpuNoJitMicrosPerRecord / x.sustainedCpuNoJitMicrosPerRecord,
                        y.sustainedPipelineCpuMicrosPerRecord
                                / x.sustainedPipelineCpuMicrosPerRecord,
                        bar,
                        x.sustained / y.sustained >= bar ? "met" : "missed");
        Report.line(line);
        ratioLines.add(line);
        sustainedCpuRatios
                .computeIfAbsent(what, k -> new ArrayList<>())
                .add(y.sustainedCpuMicrosPerRecord / x.sustainedCpuMicrosPerRecord);
        sustainedCpuNoJitRatios
                .computeIfAbsent(what, k -> new ArrayList<>())
                .add(y.sustainedCpuNoJitMicrosPerRecord / x.sustainedCpuNoJitMicrosPerRecord);
        sustainedPipelineCpuRatios
                .computeIfAbsent(what, k -> new ArrayList<>())
                .add(y.sustainedPipelineCpuMicrosPerRecord / x.sustainedPipelineCpuMicrosPerRecord);
    }

    private void summary() {
        Report.line("");
        Report.line("== summary: every run (records/s; latency in ms) ==");
        for (Map.Entry<String, List<VariantResult>> e : results.entrySet()) {
            for (VariantResult r : e.getValue()) {
                Report.line(r.describe(true));
            }
            Report.line(
                    "%-9s median: sustained %,.0f  drain %,.0f  total %,.0f records/s; process"
                            + " CPU %.1f µs/record; latency all p50 %.0f p99 %.0f; batch-closing"
                            + " p50 %.0f p99 %.0f",
                    e.getKey(),
                    median(e.getValue(), r -> r.sustained),
                    median(e.getValue(), r -> r.drain),
                    median(e.getValue(), r -> r.total),
                    median(e.getValue(), r -> r.cpuMicrosPerRecord),
                    median(e.getValue(), r -> r.latencyAll[0]),
                    median(e.getValue(), r -> r.latencyAll[1]),
                    median(e.getValue(), r -> r.latencyCloser[0]),
                    median(e.getValue(), r -> r.latencyCloser[1]));
        }
        Report.line("");
        Report.line("== ratios, each within one repetition ==");
        ratioLines.forEach(Report::line);
        cpuRatios(
                "== records per CPU-second of the process in the sustained phase (10%% to 90%% of"
                        + " the outputs visible), a / b: medians ==",
                sustainedCpuRatios);
        cpuRatios(
                "== the same without the JIT's compilation time (a start-up cost), a / b: medians"
                        + " ==",
                sustainedCpuNoJitRatios);
        cpuRatios(
                "== the pipeline's own CPU: the process without the in-process broker's threads and"
                        + " the output follower's, a / b: medians ==",
                sustainedPipelineCpuRatios);
    }

    private static void cpuRatios(String title, Map<String, List<Double>> ratios) {
        Report.line("");
        Report.line(title);
        for (Map.Entry<String, List<Double>> e : ratios.entrySet()) {
            double median = Report.median(e.getValue());
            boolean eo = e.getKey().equals(EO_PAIR);
            Report.line(
                    "%-42s %s median %.3f%s",
                    e.getKey(),
                    e.getValue().stream()
                            .map(r -> String.format(Locale.ROOT, "%.3f", r))
                            .collect(Collectors.joining(" ")),
                    median,
                    eo
                            ? String.format(
                                    Locale.ROOT,
                                    "   (bar %.2f: %s)",
                                    EO_CPU_BAR,
                                    median >= EO_CPU_BAR ? "met" : "missed")
                            : "");
        }
    }

    private interface Field {
        double of(VariantResult r);
    }

    private static double median(List<VariantResult> runs, Field field) {
        List<Double> values = new ArrayList<>();
        for (VariantResult r : runs) {
            values.add(field.of(r));
        }
        return Report.median(values);
    }
}
