package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.operators.DriftSettings;
import java.time.Duration;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/** The drift of live features against the served stats, on the command line (README "Drift"). */
final class DriftOptions {
    @Option(
            names = "--drift",
            paramLabel = "URI",
            description =
                    "Eval mode: write drift records of the live features against the served stats"
                            + " here (kafka://, file:// or stdout)")
    String drift;

    @Option(
            names = "--drift-interval",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "A drift record per key every DURATION of event time (default: only one per"
                            + " key, at the end of bounded input)")
    Duration driftInterval;

    @Option(
            names = "--drift-momentum",
            paramLabel = "M",
            description = "Weight of a new value in the live stats and histogram (default: 0.01)")
    Double driftMomentum;

    @Option(
            names = "--drift-threshold",
            paramLabel = "T",
            description = "Alert when a feature's |shift| reaches T (default: 3)")
    Double driftThreshold;

    @Option(
            names = "--drift-psi",
            paramLabel = "P",
            description = "Alert when a feature's psi reaches P (default: 0.25)")
    Double driftPsi;

    /** The drift settings of {@code --drift}, or null; the other drift options need it. */
    @Nullable
    DriftSettings settings() {
        if (drift == null) {
            if (driftInterval != null
                    || driftMomentum != null
                    || driftThreshold != null
                    || driftPsi != null) {
                throw new IllegalArgumentException(
                        "--drift-interval, --drift-momentum, --drift-threshold and --drift-psi"
                                + " need --drift URI");
            }
            return null;
        }
        return DriftSettings.of(
                driftInterval,
                driftMomentum != null ? driftMomentum : DriftSettings.DEFAULT_MOMENTUM,
                driftThreshold != null ? driftThreshold : DriftSettings.DEFAULT_THRESHOLD,
                driftPsi != null ? driftPsi : DriftSettings.DEFAULT_PSI);
    }

    /** Where the drift records go; null: no drift. */
    @Nullable
    Endpoint endpoint() {
        return drift == null ? null : Endpoint.parse(drift);
    }
}
