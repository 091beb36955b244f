package dev.streamnorm.jobs.stats;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * How the stats of B differ from those of A, key by key: the keys only one of them has, and per
 * common key and feature c, with {@code σ_A² = running_var_A + eps}:
 *
 * <ul>
 *   <li>{@code shift = (running_mean_B − running_mean_A) / σ_A}, B's mean in A's standard
 *       deviations (what {@code --drift} would report if B's stats were the live ones);
 *   <li>{@code var_ratio = running_var_B / σ_A²}.
 * </ul>
 *
 * A key is over the threshold T when some feature's {@code |shift| > T}.
 */
public final class StatsDiff {
    /** One common key: its shifts and variance ratios per feature. */
    public static final class KeyDiff {
        public final String key;
        public final double[] shift;
        public final double[] varRatio;
        public final double[] meanA;
        public final double[] meanB;

        KeyDiff(String key, RunningStats a, RunningStats b, double eps) {
            this.key = key;
            int channels = a.channels();
            shift = new double[channels];
            varRatio = new double[channels];
            meanA = a.meanArray();
            meanB = b.meanArray();
            for (int c = 0; c < channels; c++) {
                double varA = a.variance(c) + eps;
                shift[c] = (b.mean(c) - a.mean(c)) / Math.sqrt(varA);
                varRatio[c] = b.variance(c) / varA;
            }
        }

        /** The largest |shift| over the features. */
        public double maxAbsShift() {
            double max = 0;
            for (double s : shift) {
                max = Math.max(max, Math.abs(s));
            }
            return max;
        }

        /** Whether some feature's |shift| exceeds {@code threshold}. */
        public boolean over(double threshold) {
            for (double s : shift) {
                if (!(Math.abs(s) <= threshold)) {
                    return true;
                }
            }
            return false;
        }
    }

    public final List<String> onlyInA;
    public final List<String> onlyInB;
    public final List<KeyDiff> common;
    public final double eps;

    private StatsDiff(
            List<String> onlyInA, List<String> onlyInB, List<KeyDiff> common, double eps) {
        this.onlyInA = onlyInA;
        this.onlyInB = onlyInB;
        this.common = common;
        this.eps = eps;
    }

    /**
     * The difference of {@code b} from {@code a}, keys in sorted order.
     *
     * @throws IllegalArgumentException if the two have different numbers of channels
     */
    public static StatsDiff of(StatsTable a, StatsTable b, double eps) {
        checkArgument(
                a.isEmpty() || b.isEmpty() || a.channels() == b.channels(),
                "the stats have %s and %s channels",
                a.channels(),
                b.channels());
        List<String> onlyInA = new ArrayList<>();
        List<String> onlyInB = new ArrayList<>();
        List<KeyDiff> common = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(a.keys());
        keys.addAll(b.keys());
        for (String key : keys) {
            RunningStats ofA = a.lookupExact(key);
            RunningStats ofB = b.lookupExact(key);
            if (ofB == null) {
                onlyInA.add(key);
            } else if (ofA == null) {
                onlyInB.add(key);
            } else {
                common.add(new KeyDiff(key, ofA, ofB, eps));
            }
        }
        return new StatsDiff(
                Collections.unmodifiableList(onlyInA),
                Collections.unmodifiableList(onlyInB),
                Collections.unmodifiableList(common),
                eps);
    }

    /** The common keys over {@code threshold}. */
    public List<KeyDiff> over(double threshold) {
        List<KeyDiff> over = new ArrayList<>();
        for (KeyDiff diff : common) {
            if (diff.over(threshold)) {
                over.add(diff);
            }
        }
        return over;
    }
}
