package dev.streamnorm.jobs.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.jobs.pipeline.LocalFlink;
import dev.streamnorm.sql.SqlRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code streamnorm demo --sql}: the demo's synthetic features through the SQL script {@link
 * #SCRIPT} (printed, so that users can start from it) on an embedded Kafka broker and local Flink,
 * then a summary of the output topic as a {@code read_committed} consumer sees it.
 */
public final class SqlDemo {
    /** The script, in the repository under jobs/src/main/resources. */
    public static final String SCRIPT = "/dev/streamnorm/jobs/demo/demo.sql";

    private final long records;
    private final int keys;
    private final int features;
    private final int parallelism;
    private final PrintWriter out;

    public SqlDemo(long records, int keys, int features, int parallelism, PrintWriter out) {
        this.records = records;
        this.keys = keys;
        this.features = features;
        this.parallelism = parallelism;
        this.out = out;
    }

    /** Runs the demo; returns whether every row that reached the job came out once. */
    public boolean run() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(parallelism, "features", "normalized");
            produce(kafka.bootstrapServers());
            String script = script().replace("${bootstrap}", kafka.bootstrapServers());
            out.println("[demo] the SQL script (jobs/src/main/resources" + SCRIPT + "):");
            out.println(script);
            out.flush();
            Configuration conf = new Configuration();
            conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
            StreamExecutionEnvironment env = LocalFlink.environment(conf);
            long start = System.nanoTime();
            new SqlRunner(StreamTableEnvironment.create(env)).run(script);
            out.printf("[demo] the job finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
            return summary(kafka.bootstrapServers());
        }
    }

    static String script() throws IOException {
        try (InputStream in = SqlDemo.class.getResourceAsStream(SCRIPT)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void produce(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        DemoData data = new DemoData(keys, features, 7L);
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (long i = 0; i < records; i++) {
                String key = DemoData.keyName(data.keyOf(i));
                producer.send(
                        new ProducerRecord<>(
                                "features", key, data.json(i, now + i, data.values(i))));
            }
        }
        out.printf(
                "[demo] produced %,d JSON records (%d keys, %d features)%n",
                records, keys, features);
    }

    private boolean summary(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        ObjectMapper json = new ObjectMapper();
        Map<String, Long> outcomes = new TreeMap<>();
        Map<Long, Integer> ids = new java.util.HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            consumer.partitionsFor("normalized")
                    .forEach(p -> partitions.add(new TopicPartition("normalized", p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    JsonNode row = json.readTree(record.value());
                    String error = row.path("error").asText("normalized");
                    outcomes.merge(
                            row.path("error").isNull() ? "normalized" : error, 1L, Long::sum);
                    ids.merge(row.get("id").asLong(), 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable output row", e);
        }
        long rows = outcomes.values().stream().mapToLong(Long::longValue).sum();
        out.printf(
                "[demo] rows out %,d (each id once: %s); skipped by the JSON format (not JSON"
                        + " records of the table's schema): %,d%n",
                rows, ids.values().stream().allMatch(c -> c == 1), records - rows);
        out.println("[demo] rows by outcome: " + outcomes);
        out.flush();
        return ids.values().stream().allMatch(c -> c == 1);
    }
}
