package dev.streamnorm.operators.compat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.state.ExponentialMoments;
import java.util.Map;
import java.util.TreeMap;

/**
 * Online mode replayed key by key with the state library alone: each record updates its key's
 * {@link ExponentialMoments} and is standardized with them, as the operator does (bit-identical).
 */
final class OnlineReplay {
    private final double alpha;
    private final double eps;
    private final Map<String, ExponentialMoments> moments = new TreeMap<>();

    OnlineReplay(double alpha, double eps) {
        this.alpha = alpha;
        this.eps = eps;
    }

    /** A replay that continues from restored moments. */
    static OnlineReplay restored(double alpha, double eps, Map<String, ExponentialMoments> state) {
        OnlineReplay replay = new OnlineReplay(alpha, eps);
        state.forEach((key, m) -> replay.moments.put(key, m.copy()));
        return replay;
    }

    /** Folds {@code record} into its key's moments and returns it standardized. */
    FeatureRecord accept(FeatureRecord record) {
        ExponentialMoments current =
                moments.computeIfAbsent(
                        record.key(), k -> new ExponentialMoments(record.values().length));
        current.update(record.values(), alpha);
        FeatureRecord out = record.copy();
        current.standardize(record.values(), out.values(), eps);
        return out;
    }

    /** Every key's moments. */
    Map<String, ExponentialMoments> moments() {
        return moments;
    }
}
