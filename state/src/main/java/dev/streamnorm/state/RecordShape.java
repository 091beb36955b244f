package dev.streamnorm.state;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * The shape of one record: {@code channels} × {@code positions}, stored row-major in a flat {@code
 * double[]} (the value of channel c at position l is {@code values[c * positions + l]}).
 *
 * <p>A plain feature vector has {@code positions == 1}. Statistics are always per channel.
 */
public final class RecordShape implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int channels;
    private final int positions;

    private RecordShape(int channels, int positions) {
        this.channels = channels;
        this.positions = positions;
    }

    /** A shape of {@code channels} × {@code positions}; both must be positive. */
    public static RecordShape of(int channels, int positions) {
        checkArgument(channels > 0, "channels must be positive, got %s", channels);
        checkArgument(positions > 0, "positions must be positive, got %s", positions);
        checkArgument(
                (long) channels * positions <= Integer.MAX_VALUE,
                "shape %sx%s is too large",
                channels,
                positions);
        return new RecordShape(channels, positions);
    }

    /** A plain vector of {@code channels} features ({@code positions == 1}). */
    public static RecordShape vector(int channels) {
        return of(channels, 1);
    }

    /**
     * Parses {@code "C"} or {@code "CxL"} (for example {@code "32"} or {@code "8x16"}).
     *
     * @throws IllegalArgumentException with a readable message for anything else
     */
    public static RecordShape parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
        checkArgument(parts.length <= 2, "shape must be C or CxL, got '%s'", text);
        try {
            int channels = Integer.parseInt(parts[0].trim());
            int positions = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : 1;
            return of(channels, positions);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shape must be C or CxL, got '" + text + "'");
        }
    }

    /** Number of channels C. */
    public int channels() {
        return channels;
    }

    /** Number of positions L per channel. */
    public int positions() {
        return positions;
    }

    /** Number of values in one record, C·L. */
    public int size() {
        return channels * positions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordShape
                && ((RecordShape) o).channels == channels
                && ((RecordShape) o).positions == positions;
    }

    @Override
    public int hashCode() {
        return 31 * channels + positions;
    }

    /** {@code "C"} for a plain vector, else {@code "CxL"}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return positions == 1 ? Integer.toString(channels) : channels + "x" + positions;
    }
}
