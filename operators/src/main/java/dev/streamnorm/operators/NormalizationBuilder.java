package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.scaler.ScalerParams;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Builder of {@link Normalization}; {@link #build()} validates everything: the options every norm
 * shares here, the rest in the norm's {@link NormPlan}.
 */
@PublicEvolving
public final class NormalizationBuilder {
    Norm norm = StreamnormOptions.NORM.defaultValue();
    Mode mode = StreamnormOptions.MODE.defaultValue();
    @Nullable RecordShape shape;
    int batchSize = StreamnormOptions.BATCH_SIZE.defaultValue();
    @Nullable Duration batchInterval;
    Duration batchTimeout = StreamnormOptions.BATCH_TIMEOUT.defaultValue();
    @Nullable Momentum momentum;
    Convention convention = StreamnormOptions.CONVENTION.defaultValue();
    @Nullable Double eps;
    @Nullable Integer groups;
    Affine affine = Affine.identity();
    boolean affineGiven;
    @Nullable RunningStats alignTo;
    StatsTable initialStats = StatsTable.empty();
    boolean statsFromSavepoint;
    @Nullable Duration stateTtl;
    boolean emitFinalStats;
    boolean emitStatsVersion;
    Scope scope = Scope.KEY;
    ScalerParams scalerParams = ScalerParams.defaults();
    @Nullable ScalerTable scalerTable;
    boolean robustExact;
    @Nullable DriftSettings drift;

    NormalizationBuilder() {}

    /** Reads every {@link StreamnormOptions} that {@code config} sets. */
    public NormalizationBuilder setConfiguration(ReadableConfig config) {
        setNorm(config.get(StreamnormOptions.NORM));
        setMode(config.get(StreamnormOptions.MODE));
        config.getOptional(StreamnormOptions.SHAPE)
                .map(RecordShape::parse)
                .ifPresent(this::setShape);
        setBatchSize(config.get(StreamnormOptions.BATCH_SIZE));
        config.getOptional(StreamnormOptions.BATCH_INTERVAL).ifPresent(this::setBatchInterval);
        setBatchTimeout(config.get(StreamnormOptions.BATCH_TIMEOUT));
        config.getOptional(StreamnormOptions.MOMENTUM)
                .map(Momentum::parse)
                .ifPresent(this::setMomentum);
        setConvention(config.get(StreamnormOptions.CONVENTION));
        config.getOptional(StreamnormOptions.EPS).ifPresent(this::setEps);
        config.getOptional(StreamnormOptions.GROUPS).ifPresent(this::setGroups);
        config.getOptional(StreamnormOptions.STATE_TTL).ifPresent(this::setStateTtl);
        return this;
    }

    public NormalizationBuilder setNorm(Norm norm) {
        this.norm = checkNotNull(norm);
        return this;
    }

    public NormalizationBuilder setMode(Mode mode) {
        this.mode = checkNotNull(mode);
        return this;
    }

    /** The record shape C×L; unset, it is learned per key (C = length, L = 1). */
    public NormalizationBuilder setShape(@Nullable RecordShape shape) {
        this.shape = shape;
        return this;
    }

    public NormalizationBuilder setBatchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
    }

    /** Event-time tumbling batches instead of count batches. */
    public NormalizationBuilder setBatchInterval(@Nullable Duration batchInterval) {
        this.batchInterval = batchInterval;
        return this;
    }

    /** How long a partial count batch may wait; {@link Duration#ZERO} waits forever. */
    public NormalizationBuilder setBatchTimeout(Duration batchTimeout) {
        this.batchTimeout = checkNotNull(batchTimeout);
        return this;
    }

    public NormalizationBuilder setMomentum(@Nullable Momentum momentum) {
        this.momentum = momentum;
        return this;
    }

    public NormalizationBuilder setConvention(Convention convention) {
        this.convention = checkNotNull(convention);
        return this;
    }

    public NormalizationBuilder setEps(@Nullable Double eps) {
        this.eps = eps;
        return this;
    }

    public NormalizationBuilder setGroups(@Nullable Integer groups) {
        this.groups = groups;
        return this;
    }

    /** Weight and bias: per channel (batch, group, instance) or per value (layer). */
    public NormalizationBuilder setAffine(Affine affine) {
        this.affine = checkNotNull(affine);
        this.affineGiven = true;
        return this;
    }

    /**
     * Re-scales every output channel to a reference distribution after normalizing (AdaIN-style
     * alignment): {@code y -> y * sqrt(running_var[c]) + running_mean[c]} of the {@code reference}.
     * Folded into the affine transform, so it costs nothing per record.
     */
    public NormalizationBuilder setAlignTo(@Nullable RunningStats reference) {
        this.alignTo = reference;
        return this;
    }

    /** Stats that eval mode serves and train mode starts from (key {@code *} = any key). */
    public NormalizationBuilder setInitialStats(StatsTable initialStats) {
        this.initialStats = checkNotNull(initialStats);
        return this;
    }

    /** Whether the job restores its running stats from a savepoint (eval without a file). */
    public NormalizationBuilder setStatsFromSavepoint(boolean statsFromSavepoint) {
        this.statsFromSavepoint = statsFromSavepoint;
        return this;
    }

    /** Forget keys not seen for this long; null keeps state forever. */
    public NormalizationBuilder setStateTtl(@Nullable Duration stateTtl) {
        this.stateTtl = stateTtl;
        return this;
    }

    /** Statistics per key (default) or shared by all records. */
    public NormalizationBuilder setScope(Scope scope) {
        this.scope = checkNotNull(scope);
        return this;
    }

    /** Emit each key's final running stats to {@link #FINAL_STATS} at end of input. */
    public NormalizationBuilder setEmitFinalStats(boolean emitFinalStats) {
        this.emitFinalStats = emitFinalStats;
        return this;
    }

    /**
     * Mark each record with the version of the stats that normalized it ({@link
     * FeatureRecord#statsVersion()}; {@link Normalization#applyFollowing} only).
     */
    public NormalizationBuilder setEmitStatsVersion(boolean emitStatsVersion) {
        this.emitStatsVersion = emitStatsVersion;
        return this;
    }

    /** The scikit-learn constructor parameters of the scaler norms (defaults: scikit-learn's). */
    public NormalizationBuilder setScalerParams(ScalerParams scalerParams) {
        this.scalerParams = checkNotNull(scalerParams);
        return this;
    }

    /**
     * The robust scaler keeps every value for exact quantiles instead of a sketch (bounded inputs,
     * train mode).
     */
    public NormalizationBuilder setRobustExact(boolean robustExact) {
        this.robustExact = robustExact;
        return this;
    }

    /** A scaler's fitted attributes per key: eval mode's transform, train mode's start. */
    public NormalizationBuilder setScalerTable(@Nullable ScalerTable scalerTable) {
        this.scalerTable = scalerTable;
        return this;
    }

    /** Watch the drift of live features against the served stats (eval mode); null: off. */
    public NormalizationBuilder setDrift(@Nullable DriftSettings drift) {
        this.drift = drift;
        return this;
    }

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException with a message naming the option at fault
     */
    public Normalization build() {
        checkArgument(batchSize > 0, "batch-size must be positive, got %s", batchSize);
        checkArgument(
                !batchTimeout.isNegative(),
                "batch-timeout must not be negative, got %s",
                batchTimeout);
        checkArgument(
                batchInterval == null || (!batchInterval.isNegative() && !batchInterval.isZero()),
                "batch-interval must be positive, got %s",
                batchInterval);
        checkArgument(
                eps == null || (eps >= 0 && Double.isFinite(eps)),
                "eps must be a finite number >= 0, got %s",
                eps);
        checkArgument(
                stateTtl == null || (!stateTtl.isNegative() && !stateTtl.isZero()),
                "state TTL must be positive, got %s",
                stateTtl);
        checkArgument(
                scope == Scope.KEY || norm == Norm.BATCH,
                "--scope global applies to batch norm only");
        checkArgument(
                !emitFinalStats || norm.plan().hasFinalStats(this),
                "final stats (--stats-out) exist only for batch norm in train mode (or online mode"
                        + " with --scope global)");
        checkArgument(groups == null || norm == Norm.GROUP, "groups only applies to --norm group");
        checkArgument(
                drift == null || (norm == Norm.BATCH && mode == Mode.EVAL && scope == Scope.KEY),
                "--drift applies to batch norm in eval mode with key scope");
        norm.plan().check(this);
        return new Normalization(this, alignTo == null ? affine : alignedAffine(alignTo));
    }

    /** Checks that the affine transform has {@code expected} entries (one per value it scales). */
    void checkAffineFitsShape(int expected) {
        checkArgument(
                affine.isIdentity() || affine.fits(expected),
                "affine has %s entries, %s norm of shape %s needs %s",
                affine.length(),
                norm.id(),
                shape,
                expected);
    }

    /** The affine transform followed by the alignment to {@code reference}. */
    private Affine alignedAffine(RunningStats reference) {
        checkArgument(norm != Norm.L2, "--align-to does not apply to l2 norm");
        int channels = reference.channels();
        checkArgument(
                norm != Norm.LAYER || shape != null,
                "--align-to with layer norm needs --shape (the reference is per channel)");
        checkArgument(
                shape == null || shape.channels() == channels,
                "the --align-to reference has %s channels, shape %s has %s",
                channels,
                shape,
                shape == null ? 0 : shape.channels());
        checkArgument(
                initialStats.isEmpty() || initialStats.channels() == channels,
                "the --align-to reference has %s channels, the stats have %s",
                channels,
                initialStats.channels());
        int positions = norm == Norm.LAYER ? shape.positions() : 1;
        double[] scale = new double[channels * positions];
        double[] shift = new double[scale.length];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = Math.sqrt(reference.variance(i / positions));
            shift[i] = reference.mean(i / positions);
        }
        checkArgument(
                affine.fits(scale.length),
                "affine has %s entries, --align-to needs %s",
                affine.length(),
                scale.length);
        return affine.followedBy(scale, shift);
    }
}
