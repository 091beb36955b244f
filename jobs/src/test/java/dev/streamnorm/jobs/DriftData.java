package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamnorm.jobs.cli.StreamnormCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Input in which one key drifts midway: {@code keys} keys of two features, served by a stats file
 * with an entry per key (the last key falls back to {@code *}); from the middle on, the drifting
 * key's feature 1 moves by {@code 4·σ}. One record per key every 10 ms of event time.
 */
final class DriftData {
    static final double EPS = 1e-5;
    static final long START = 1_700_000_000_000L;

    final int keys;
    final int perKey;
    final int drifting;
    final double[][] mean;
    final double[][] variance;
    final List<String> keysInOrder = new ArrayList<>();
    final List<double[]> values = new ArrayList<>();
    final List<Long> times = new ArrayList<>();

    DriftData(int keys, int perKey, int drifting, long seed) {
        this.keys = keys;
        this.perKey = perKey;
        this.drifting = drifting;
        Random random = new Random(seed);
        mean = new double[keys][2];
        variance = new double[keys][2];
        for (int k = 0; k < keys; k++) {
            for (int c = 0; c < 2; c++) {
                mean[k][c] = random.nextGaussian() * 5;
                variance[k][c] = 0.5 + random.nextDouble() * 4;
            }
        }
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                double[] x = new double[2];
                for (int c = 0; c < 2; c++) {
                    double moved = k == drifting && c == 1 && i >= perKey / 2 ? 4 : 0;
                    x[c] = mean[k][c] + Math.sqrt(variance[k][c]) * (random.nextGaussian() + moved);
                }
                keysInOrder.add(key(k));
                values.add(x);
                times.add(START + 10L * i);
            }
        }
    }

    static String key(int k) {
        return "k" + k;
    }

    void writeInput(Path file) throws IOException {
        Files.write(file, lines(), StandardCharsets.UTF_8);
    }

    /** The input records as JSON lines, in order. */
    List<String> lines() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            ObjectNode record = json.createObjectNode();
            record.put("key", keysInOrder.get(i));
            record.put("ts", times.get(i));
            record.putArray("values").add(values.get(i)[0]).add(values.get(i)[1]);
            lines.add(json.writeValueAsString(record));
        }
        return lines;
    }

    /**
     * Runs {@code streamnorm run --mode eval --stats STATS --drift DRIFT} with {@code options} on
     * {@code in} (the normalized records go to {@code out}); fails unless it exits 0.
     */
    static void runEval(Path in, Path stats, Path out, Path drift, String... options) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "run",
                                "--mode",
                                "eval",
                                "--stats",
                                stats.toString(),
                                "--input",
                                in.toUri().toString(),
                                "--output",
                                out.toUri().toString(),
                                "--drift",
                                drift.toUri().toString()));
        args.addAll(List.of(options));
        StringWriter stderr = new StringWriter();
        int exit =
                StreamnormCli.execute(
                        args.toArray(new String[0]),
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(stderr, true));
        assertThat(exit).as("exit code of %s; stderr: %s", args, stderr).isZero();
    }

    /** A stats file: an entry per key but the last, whose stats are the {@code *} entry. */
    void writeStats(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("format", "streamnorm.stats/v1");
        root.put("norm", "batch");
        root.putArray("shape").add(2).add(1);
        root.put("eps", EPS);
        ObjectNode entries = root.putObject("keys");
        for (int k = 0; k < keys; k++) {
            ObjectNode entry = entries.putObject(k == keys - 1 ? "*" : key(k));
            entry.putArray("running_mean").add(mean[k][0]).add(mean[k][1]);
            entry.putArray("running_var").add(variance[k][0]).add(variance[k][1]);
            entry.put("num_batches_tracked", 10);
        }
        Files.writeString(file, json.writeValueAsString(root), StandardCharsets.UTF_8);
    }
}
