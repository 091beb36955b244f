package dev.streamnorm.jobs.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.state.SegmentNorm;
import java.util.Map;

/** Golden ops {@code layernorm} and {@code groupnorm}: stateless per-record norms. */
final class SegmentNormReplay implements Replay {
    private final SegmentNorm norm;

    private SegmentNormReplay(SegmentNorm norm) {
        this.norm = norm;
    }

    /** {@code layernorm}: statistics over the trailing {@code normalized_shape} axes. */
    static SegmentNormReplay layer(GoldenCase golden) {
        int normalizedSize = 1;
        for (JsonNode dim : GoldenCase.required(golden.params, "normalized_shape")) {
            normalizedSize *= dim.asInt();
        }
        return new SegmentNormReplay(
                SegmentNorm.layer(
                        golden.shape, normalizedSize, golden.param("eps"), golden.affine()));
    }

    /** {@code groupnorm}: {@code num_groups} contiguous channel groups. */
    static SegmentNormReplay group(GoldenCase golden) {
        int groups = (int) golden.param("num_groups");
        return new SegmentNormReplay(
                SegmentNorm.group(golden.shape, groups, golden.param("eps"), golden.affine()));
    }

    @Override
    public Map<String, double[]> run(GoldenCase.Batch batch, double[][] out) {
        for (int r = 0; r < out.length; r++) {
            norm.apply(batch.input[r], out[r]);
        }
        return Map.of();
    }
}
