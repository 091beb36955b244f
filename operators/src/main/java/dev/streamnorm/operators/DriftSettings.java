package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * How eval mode watches the drift of live features against the served stats (DESIGN §8): the weight
 * of a new value in the shadow statistics, the event-time interval between drift records, and the
 * thresholds of an alert.
 *
 * <pre>{@code
 * Normalization norm = Normalization.builder()
 *         .setMode(Mode.EVAL)
 *         .setInitialStats(stats)
 *         .setDrift(DriftSettings.defaults().withInterval(Duration.ofMinutes(1)))
 *         .build();
 * DataStream<DriftReport> drift = norm.apply(records).getSideOutput(DriftReport.SIDE_OUTPUT);
 * }</pre>
 */
@PublicEvolving
public final class DriftSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The default weight m of a new value ({@code --drift-momentum}). */
    public static final double DEFAULT_MOMENTUM = 0.01;

    /** The default |shift| that raises an alert ({@code --drift-threshold}). */
    public static final double DEFAULT_THRESHOLD = 3.0;

    /** The default psi that raises an alert ({@code --drift-psi}). */
    public static final double DEFAULT_PSI = 0.25;

    @Nullable private final Duration interval;
    private final double momentum;
    private final double threshold;
    private final double psi;

    private DriftSettings(
            @Nullable Duration interval, double momentum, double threshold, double psi) {
        checkArgument(
                interval == null || (!interval.isNegative() && !interval.isZero()),
                "--drift-interval must be positive, got %s",
                interval);
        checkArgument(
                momentum > 0 && momentum <= 1,
                "--drift-momentum must be in (0, 1], got %s",
                momentum);
        checkArgument(
                threshold > 0 && Double.isFinite(threshold),
                "--drift-threshold must be a positive number, got %s",
                threshold);
        checkArgument(
                psi > 0 && Double.isFinite(psi),
                "--drift-psi must be a positive number, got %s",
                psi);
        this.interval = interval;
        this.momentum = momentum;
        this.threshold = threshold;
        this.psi = psi;
    }

    /**
     * The defaults: no interval (one record per key at the end of bounded input), m 0.01, 3, 0.25.
     */
    public static DriftSettings defaults() {
        return new DriftSettings(null, DEFAULT_MOMENTUM, DEFAULT_THRESHOLD, DEFAULT_PSI);
    }

    /**
     * Settings with every value given.
     *
     * @throws IllegalArgumentException naming the option at fault
     */
    public static DriftSettings of(
            @Nullable Duration interval, double momentum, double threshold, double psi) {
        return new DriftSettings(interval, momentum, threshold, psi);
    }

    /** These settings with a drift record per key every {@code interval} of event time. */
    public DriftSettings withInterval(@Nullable Duration interval) {
        return new DriftSettings(interval, momentum, threshold, psi);
    }

    /** The event-time interval between a key's drift records, or null (end of input only). */
    @Nullable
    public Duration interval() {
        return interval;
    }

    /** The weight m of a new value in the shadow statistics. */
    public double momentum() {
        return momentum;
    }

    /** The |shift| at or above which a key alerts. */
    public double threshold() {
        return threshold;
    }

    /** The psi at or above which a key alerts. */
    public double psi() {
        return psi;
    }

    /** Whether a key whose worst |shift| and largest psi are these alerts. */
    public boolean alerts(double worstShift, double maxPsi) {
        return Math.abs(worstShift) >= threshold || maxPsi >= psi;
    }

    @Override
    public String toString() {
        return "drift m="
                + momentum
                + " threshold="
                + threshold
                + " psi="
                + psi
                + (interval == null ? "" : " interval=" + interval);
    }
}
