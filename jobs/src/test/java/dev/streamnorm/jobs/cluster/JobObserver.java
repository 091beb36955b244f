package dev.streamnorm.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.jobs.PrometheusScrape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches the job of a local {@code streamnorm run} started with {@code --metrics-port}: each
 * {@link #sample()} reads from its Prometheus endpoint the messages decoded so far and the heap in
 * use, from its Flink REST API (the port the run logged) the backpressure of its source, and keeps
 * every completed checkpoint the REST API reports.
 */
final class JobObserver {
    private static final Pattern REST_PORT =
            Pattern.compile("Rest endpoint listening at [^:\\s]+:(\\d+)");
    private static final String RECORDS_IN = "flink_taskmanager_job_task_operator_recordsIn";
    private static final String HEAP_USED = "flink_taskmanager_Status_JVM_Memory_Heap_Used";
    private static final String HEAP_MAX = "flink_taskmanager_Status_JVM_Memory_Heap_Max";

    /** One poll: wall-clock time, messages decoded, heap used, backpressure of the source. */
    record Sample(long millis, long recordsIn, long heapUsed, String backpressure) {}

    /**
     * A completed checkpoint as the REST API reports it; {@code persistedInFlight} are the bytes of
     * buffered records it stored, where its barriers overtook them (unaligned).
     */
    record Checkpoint(
            long id,
            long triggerMillis,
            long durationMillis,
            long stateSize,
            long persistedInFlight) {}

    private final int metricsPort;
    private final FlinkRest rest;
    private final String jobId;
    private final String sourceVertex;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<Long, Checkpoint> checkpoints = new TreeMap<>();
    private long heapMax = -1;

    private JobObserver(int metricsPort, FlinkRest rest, String jobId, String sourceVertex) {
        this.metricsPort = metricsPort;
        this.rest = rest;
        this.jobId = jobId;
        this.sourceVertex = sourceVertex;
    }

    /**
     * Waits until {@code process} (a run with {@code --metrics-port metricsPort}) logs its REST
     * port and runs its job; then watches that job.
     */
    static JobObserver attach(JvmProcess process, Path log, int metricsPort, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("the run ended before its job ran:\n" + process.tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no running job within " + timeout);
            }
            Matcher port = REST_PORT.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (port.find()) {
                FlinkRest rest = new FlinkRest(Integer.parseInt(port.group(1)));
                try {
                    JsonNode jobs = rest.get("/jobs/overview").path("jobs");
                    if (jobs.size() == 1) {
                        String id = jobs.get(0).path("jid").asText();
                        JsonNode vertices = rest.get("/jobs/" + id).path("vertices");
                        if (vertices.size() > 0) {
                            return new JobObserver(
                                    metricsPort, rest, id, vertices.get(0).path("id").asText());
                        }
                    }
                } catch (IOException e) {
                    // not serving yet
                }
            }
            Thread.sleep(200);
        }
    }

    /** Polls the job once; returns false when it no longer answers (the run has ended). */
    boolean sample() throws InterruptedException {
        try {
            String metrics = PrometheusScrape.scrape(metricsPort);
            String backpressure =
                    rest.get("/jobs/" + jobId + "/vertices/" + sourceVertex + "/backpressure")
                            .path("backpressureLevel")
                            .asText("unknown");
            heapMax = (long) PrometheusScrape.sum(metrics, HEAP_MAX);
            samples.add(
                    new Sample(
                            System.currentTimeMillis(),
                            (long) PrometheusScrape.sum(metrics, RECORDS_IN),
                            (long) PrometheusScrape.sum(metrics, HEAP_USED),
                            backpressure));
            for (JsonNode c : rest.get("/jobs/" + jobId + "/checkpoints").path("history")) {
                if (c.path("status").asText().equals("COMPLETED")
                        && !c.path("is_savepoint").asBoolean()) {
                    checkpoints.putIfAbsent(
                            c.path("id").asLong(),
                            new Checkpoint(
                                    c.path("id").asLong(),
                                    c.path("trigger_timestamp").asLong(),
                                    c.path("end_to_end_duration").asLong(),
                                    c.path("state_size").asLong(),
                                    c.path("persisted_data").asLong()));
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    List<Sample> samples() {
        return samples;
    }

    /** The completed checkpoints seen, by id. */
    List<Checkpoint> checkpoints() {
        return new ArrayList<>(checkpoints.values());
    }

    /** The TaskManager's maximum heap, in bytes (-1 before a sample). */
    long heapMax() {
        return heapMax;
    }

    /** The messages decoded by {@code millis} (by the last sample at or before it). */
    long recordsInAt(long millis) {
        long records = 0;
        for (Sample s : samples) {
            if (s.millis() > millis) {
                break;
            }
            records = s.recordsIn();
        }
        return records;
    }
}
