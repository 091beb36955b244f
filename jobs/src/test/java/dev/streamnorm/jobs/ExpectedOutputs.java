package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator-level result of batch-norm train mode with count batches, computed without Flink:
 * the clean records of each key in arrival order, cut into batches of {@code batch-size}, the last
 * partial batch flushed, each batch normalized and folded into the key's running stats with the
 * state module's {@link BatchNorm}, {@link ChannelMoments} and {@link ChannelNormalizer}.
 */
final class ExpectedOutputs {
    /** One expected output record. */
    static final class Output {
        final long id;
        final double[] values;

        Output(long id, double[] values) {
            this.id = id;
            this.values = values;
        }
    }

    private ExpectedOutputs() {}

    /** Per key (in first-seen order), the outputs of its clean records in arrival order. */
    static Map<String, List<Output>> compute(
            List<FeatureData.Input> inputs, Normalization normalization, RecordShape shape) {
        Map<String, List<FeatureData.Input>> byKey = new LinkedHashMap<>();
        for (FeatureData.Input input : inputs) {
            if (input.clean()) {
                byKey.computeIfAbsent(input.key, k -> new ArrayList<>()).add(input);
            }
        }
        Map<String, List<Output>> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, List<FeatureData.Input>> e : byKey.entrySet()) {
            outputs.put(e.getKey(), normalizeKey(e.getValue(), normalization, shape));
        }
        return outputs;
    }

    private static List<Output> normalizeKey(
            List<FeatureData.Input> records, Normalization normalization, RecordShape shape) {
        BatchNorm layer = normalization.batchNorm(shape);
        ChannelNormalizer normalizer = layer.newNormalizer();
        RunningStats stats = RunningStats.initial(shape.channels());
        int batchSize = normalization.batchSize();
        List<Output> outputs = new ArrayList<>(records.size());
        for (int start = 0; start < records.size(); start += batchSize) {
            List<FeatureData.Input> batch =
                    records.subList(start, Math.min(records.size(), start + batchSize));
            ChannelMoments moments = new ChannelMoments(shape.channels());
            moments.acceptBatch(
                    batch.stream().map(r -> r.values).toArray(double[][]::new),
                    batch.size(),
                    shape);
            layer.closeBatch(moments, stats, normalizer);
            for (FeatureData.Input record : batch) {
                double[] out = new double[record.values.length];
                normalizer.apply(record.values, out);
                outputs.add(new Output(record.id, out));
            }
        }
        return outputs;
    }

    /** How many outputs come from full batches only (what an unflushed run emits). */
    static int fullBatchCount(Map<String, List<Output>> outputs, int batchSize) {
        int count = 0;
        for (List<Output> key : outputs.values()) {
            count += key.size() / batchSize * batchSize;
        }
        return count;
    }

    /** The number of expected outputs. */
    static int count(Map<String, List<Output>> outputs) {
        int count = 0;
        for (List<Output> key : outputs.values()) {
            count += key.size();
        }
        return count;
    }

    /**
     * Per key, {@code actual} has the same records (by id) in the same order with the same values,
     * to 1e-12.
     */
    static void assertMatch(
            Map<String, List<Output>> expected, Map<String, List<JsonNode>> actual) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<Output>> e : expected.entrySet()) {
            List<Output> want = e.getValue();
            List<JsonNode> got = actual.get(e.getKey());
            if (got.size() != want.size()) {
                problems.add(e.getKey() + ": " + got.size() + " records, expected " + want.size());
            }
            for (int i = 0; i < Math.min(got.size(), want.size()); i++) {
                long id = got.get(i).get("id").asLong();
                if (id != want.get(i).id) {
                    problems.add(
                            e.getKey() + "[" + i + "]: id " + id + ", expected " + want.get(i).id);
                    break;
                }
                double[] values = Messages.values(got.get(i));
                double[] wanted = want.get(i).values;
                boolean same = values.length == wanted.length;
                for (int v = 0; same && v < values.length; v++) {
                    same = Messages.close(values[v], wanted[v]);
                }
                if (!same) {
                    problems.add(
                            "record "
                                    + id
                                    + ": "
                                    + Arrays.toString(values)
                                    + ", expected "
                                    + Arrays.toString(wanted));
                }
            }
        }
        Messages.assertNoProblems("normalized records", problems);
    }
}
