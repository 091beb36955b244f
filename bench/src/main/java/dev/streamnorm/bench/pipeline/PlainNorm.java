package dev.streamnorm.bench.pipeline;

import javax.annotation.Nullable;

/**
 * Keyed batch norm written as a plain Java loop over primitive arrays, with per-key state in a
 * {@link java.util.HashMap}: the baseline of the pipeline benchmarks. Each mode computes exactly
 * what the streamnorm operator computes (same formulas, same order of floating-point operations),
 * so outputs can be compared value by value.
 */
abstract class PlainNorm {
    /** The eps of every benchmark (PyTorch's default). */
    static final double EPS = 1e-5;

    /** The momentum of every benchmark (PyTorch's default). */
    static final double MOMENTUM = 0.1;

    /** Receives normalized records. */
    interface Emitter {
        /**
         * One normalized record; {@code normalized} is only valid during the call.
         *
         * @param id the id given to {@link #accept}
         * @param tag the tag given to {@link #accept}
         */
        void emit(long id, @Nullable Object tag, double[] normalized);
    }

    /** Takes one record of {@code key}; may emit it (and earlier records) at once or later. */
    abstract void accept(String key, long id, double[] values, @Nullable Object tag, Emitter out);

    /** End of input: emits whatever is still held back. */
    void finish(Emitter out) {}

    /** {@code 1 / sqrt(variance + eps)}, or 0 when that is not finite (as the operator does). */
    static double inverseStd(double variance, double eps) {
        double denominator = Math.sqrt(variance + eps);
        return denominator > 0 && denominator < Double.POSITIVE_INFINITY ? 1.0 / denominator : 0.0;
    }
}
