package dev.streamnorm.state.scaler;

import java.util.Locale;

/** The scikit-learn scalers that streamnorm reproduces (DESIGN §7). */
public enum ScalerKind {
    /** {@code StandardScaler}: centre on the mean, divide by the population standard deviation. */
    STANDARD("StandardScaler"),
    /** {@code MinMaxScaler}: map [data_min, data_max] onto the feature range. */
    MINMAX("MinMaxScaler"),
    /** {@code MaxAbsScaler}: divide by the maximum absolute value. */
    MAXABS("MaxAbsScaler"),
    /** {@code RobustScaler}: centre on the median, divide by a quantile range. */
    ROBUST("RobustScaler");

    private final String sklearnName;

    ScalerKind(String sklearnName) {
        this.sklearnName = sklearnName;
    }

    /** The name on the command line and in stats files, such as {@code minmax}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scikit-learn class name, such as {@code MinMaxScaler}. */
    public String sklearnName() {
        return sklearnName;
    }

    /**
     * The kind whose {@link #id()} or {@link #sklearnName()} is {@code name}.
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static ScalerKind of(String name) {
        for (ScalerKind kind : values()) {
            if (kind.id().equals(name) || kind.sklearnName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "unknown scaler '"
                        + name
                        + "': expected standard, minmax, maxabs, robust or their scikit-learn names");
    }
}
