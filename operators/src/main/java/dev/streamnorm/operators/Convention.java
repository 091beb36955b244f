package dev.streamnorm.operators;

import java.util.Locale;

/** Whose BatchNorm running-stats convention to follow. */
public enum Convention {
    /**
     * PyTorch: {@code running = (1 − m)·running + m·batch}, unbiased batch variance, m = 0.1, eps =
     * 1e-5 by default.
     */
    PYTORCH(0.1, 1e-5),
    /**
     * Keras: {@code moving = moving·m + batch·(1 − m)}, biased batch variance, m = 0.99, eps = 1e-3
     * by default.
     */
    KERAS(0.99, 1e-3);

    private final double defaultMomentum;
    private final double defaultEps;

    Convention(double defaultMomentum, double defaultEps) {
        this.defaultMomentum = defaultMomentum;
        this.defaultEps = defaultEps;
    }

    public double defaultMomentum() {
        return defaultMomentum;
    }

    public double defaultEps() {
        return defaultEps;
    }

    /** The lower-case name used on the command line and in stats files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
