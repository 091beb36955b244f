package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RunningStats;
import java.util.HashMap;
import java.util.Map;

/**
 * The normalizers of keys' restored running stats in eval mode: the last one of each key is reused
 * while its stats are unchanged, so that a record does not prepare a normalizer of its own.
 */
final class RestoredNormalizers {
    private static final int MAX_CACHED_KEYS = 65_536;

    private final Normalization config;
    private final Map<String, Cached> byKey = new HashMap<>();

    RestoredNormalizers(Normalization config) {
        this.config = config;
    }

    /** The normalizer of {@code key} with its restored {@code stats}. */
    ChannelNormalizer of(String key, RunningStats stats) {
        Cached cached = byKey.get(key);
        if (cached == null || !cached.stats.equals(stats)) {
            if (byKey.size() >= MAX_CACHED_KEYS) {
                byKey.clear();
            }
            cached = new Cached(stats.copy(), FrozenStats.normalizer(config, stats));
            byKey.put(key, cached);
        }
        return cached.normalizer;
    }

    private static final class Cached {
        final RunningStats stats;
        final ChannelNormalizer normalizer;

        Cached(RunningStats stats, ChannelNormalizer normalizer) {
            this.stats = stats;
            this.normalizer = normalizer;
        }
    }
}
