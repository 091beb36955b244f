package dev.streamnorm.jobs.conformance;

import dev.streamnorm.state.Affine;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ChannelNormalizer;
import java.util.Map;

/**
 * Golden op {@code welford}: cumulative per-channel moments; each batch is accumulated on its own
 * and merged (Chan), then standardized with the merged mean and biased variance.
 */
final class WelfordReplay implements Replay {
    private final GoldenCase golden;
    private final ChannelMoments total;
    private final ChannelNormalizer normalizer;

    WelfordReplay(GoldenCase golden) {
        this.golden = golden;
        int channels = golden.shape.channels();
        double[] counts =
                GoldenCase.flatten(
                        GoldenCase.required(golden.initialState, "count"), channels, "count");
        long[] count = new long[channels];
        for (int c = 0; c < channels; c++) {
            count[c] = (long) counts[c];
        }
        this.total =
                ChannelMoments.of(
                        count,
                        GoldenCase.flatten(
                                GoldenCase.required(golden.initialState, "mean"), channels, "mean"),
                        GoldenCase.flatten(
                                GoldenCase.required(golden.initialState, "m2"), channels, "m2"));
        this.normalizer =
                new ChannelNormalizer(golden.shape, golden.param("eps"), Affine.identity());
    }

    @Override
    public Map<String, double[]> run(GoldenCase.Batch batch, double[][] out) {
        ChannelMoments moments = new ChannelMoments(golden.shape.channels());
        for (double[] record : batch.input) {
            moments.acceptRecord(record, golden.shape);
        }
        total.combine(moments);
        normalizer.useBatch(total);
        for (int r = 0; r < out.length; r++) {
            normalizer.apply(batch.input[r], out[r]);
        }
        int channels = total.channels();
        double[] count = new double[channels];
        double[] mean = new double[channels];
        double[] m2 = new double[channels];
        double[] biased = new double[channels];
        double[] unbiased = new double[channels];
        for (int c = 0; c < channels; c++) {
            count[c] = total.count(c);
            mean[c] = total.mean(c);
            m2[c] = total.m2(c);
            biased[c] = total.biasedVariance(c);
            unbiased[c] = total.unbiasedVariance(c);
        }
        return Map.of(
                "count", count,
                "mean", mean,
                "m2", m2,
                "var_biased", biased,
                "var_unbiased", unbiased);
    }
}
