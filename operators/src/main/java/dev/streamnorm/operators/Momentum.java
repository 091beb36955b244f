package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Locale;

/**
 * The momentum of the running statistics: a number, or {@code cumulative} (PyTorch's {@code
 * momentum=None}, a cumulative average over batches).
 */
public final class Momentum implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Momentum CUMULATIVE = new Momentum(Double.NaN);

    private final double value;

    private Momentum(double value) {
        this.value = value;
    }

    /** A fixed momentum in (0, 1]. */
    public static Momentum of(double value) {
        checkArgument(
                value > 0 && value <= 1,
                "momentum must be in (0, 1] or 'cumulative', got %s",
                value);
        return new Momentum(value);
    }

    /** PyTorch's {@code momentum=None}. */
    public static Momentum cumulative() {
        return CUMULATIVE;
    }

    /** Parses a number or {@code cumulative}. */
    public static Momentum parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("cumulative") || trimmed.equals("none")) {
            return CUMULATIVE;
        }
        try {
            return of(Double.parseDouble(trimmed));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "momentum must be a number in (0, 1] or 'cumulative', got '" + text + "'");
        }
    }

    public boolean isCumulative() {
        return Double.isNaN(value);
    }

    /** The value; only for a fixed momentum. */
    public double value() {
        checkArgument(!isCumulative(), "cumulative momentum has no fixed value");
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Momentum
                && Double.doubleToLongBits(((Momentum) o).value) == Double.doubleToLongBits(value);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(value);
    }

    @Override
    public String toString() {
        return isCumulative() ? "cumulative" : Double.toString(value);
    }
}
