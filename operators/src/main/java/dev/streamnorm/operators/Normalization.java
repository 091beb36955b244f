package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.streamnorm.operators.internal.FollowingEvalFunction;
import dev.streamnorm.operators.internal.KeyedNormFunctions;
import dev.streamnorm.operators.internal.PerRecordNormFunction;
import dev.streamnorm.operators.internal.global.GlobalNormalization;
import dev.streamnorm.operators.typeutils.DeadLetterTypeInfoFactory;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.UpdatePolicy;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.io.Serializable;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * A validated normalization step for a stream of {@link FeatureRecord}s.
 *
 * <pre>{@code
 * Normalization norm = Normalization.builder()
 *         .setNorm(Norm.BATCH)
 *         .setMode(Mode.TRAIN)
 *         .setShape(RecordShape.vector(32))
 *         .setBatchSize(64)
 *         .build();
 * SingleOutputStreamOperator<FeatureRecord> out = norm.apply(records);
 * DataStream<DeadLetter> rejected = out.getSideOutput(Normalization.DEAD_LETTERS);
 * }</pre>
 *
 * <p>Batch norm keys the stream by {@link FeatureRecord#key()} and keeps its statistics in keyed
 * state under the operator uid {@link #OPERATOR_UID}; the other norms are stateless and keep the
 * stream's partitioning. Bad records never fail the job: they go to {@link #DEAD_LETTERS}.
 */
@PublicEvolving
public final class Normalization implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Side output of records that could not be normalized. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", DeadLetterTypeInfoFactory.TYPE_INFO);

    /**
     * Side output of each key's final running stats at the end of bounded input (train mode, when
     * {@link Builder#setEmitFinalStats} is on).
     */
    public static final OutputTag<Tuple2<String, RunningStats>> FINAL_STATS =
            new OutputTag<>(
                    "final-stats",
                    Types.TUPLE(Types.STRING, RunningStatsTypeInfoFactory.TYPE_INFO));

    /** The stable uid of the normalizing operator (savepoints, State Processor API). */
    public static final String OPERATOR_UID = "streamnorm-normalize";

    final Norm norm;
    final Mode mode;
    @Nullable final RecordShape shape;
    final int batchSize;
    @Nullable final Duration batchInterval;
    final Duration batchTimeout;
    final Momentum momentum;
    final Convention convention;
    final double eps;
    final int groups;
    final Affine affine;
    final StatsTable initialStats;

    /** Whether eps and affine were set explicitly (they then win over a savepoint's). */
    final boolean epsGiven;

    final boolean affineGiven;
    @Nullable final Duration stateTtl;
    final boolean emitFinalStats;
    final boolean emitStatsVersion;
    final Scope scope;
    @Nullable final DriftSettings drift;

    private Normalization(Builder b, Affine affine) {
        this.norm = b.norm;
        this.mode = b.mode;
        this.shape = b.shape;
        this.batchSize = b.batchSize;
        this.batchInterval = b.batchInterval;
        this.batchTimeout = b.batchTimeout;
        this.convention = b.convention;
        this.momentum =
                b.momentum != null ? b.momentum : Momentum.of(b.convention.defaultMomentum());
        this.eps = b.eps != null ? b.eps : b.convention.defaultEps();
        this.groups = b.groups == null ? 0 : b.groups;
        this.affine = affine;
        this.initialStats = b.initialStats;
        this.stateTtl = b.stateTtl;
        this.emitFinalStats = b.emitFinalStats;
        this.emitStatsVersion = b.emitStatsVersion;
        this.scope = b.scope;
        this.drift = b.drift;
        this.epsGiven = b.eps != null;
        this.affineGiven = b.affineGiven || b.alignTo != null;
    }

    private Normalization(Normalization base, double eps, Affine affine, StatsTable initialStats) {
        this.norm = base.norm;
        this.mode = base.mode;
        this.shape = base.shape;
        this.batchSize = base.batchSize;
        this.batchInterval = base.batchInterval;
        this.batchTimeout = base.batchTimeout;
        this.convention = base.convention;
        this.momentum = base.momentum;
        this.eps = eps;
        this.groups = base.groups;
        this.affine = affine;
        this.initialStats = initialStats;
        this.stateTtl = base.stateTtl;
        this.emitFinalStats = base.emitFinalStats;
        this.emitStatsVersion = base.emitStatsVersion;
        this.scope = base.scope;
        this.drift = base.drift;
        this.epsGiven = base.epsGiven;
        this.affineGiven = base.affineGiven;
    }

    /**
     * This configuration completed by what a restored savepoint carries (either may be null): the
     * saved {@code *} entry serves keys without stats unless the configuration has one, and the
     * saved eps and affine apply unless set explicitly (command line, then stats file, then
     * savepoint, then defaults).
     *
     * @throws IllegalArgumentException if the saved values do not fit this configuration
     */
    public Normalization withSaved(
            @Nullable LayerSettings saved, @Nullable RunningStats savedAnyKey) {
        double restoredEps = saved != null && !epsGiven ? saved.eps : eps;
        Affine restoredAffine = saved != null && !affineGiven ? saved.affine() : affine;
        StatsTable table =
                savedAnyKey == null ? initialStats : initialStats.withFallback(savedAnyKey);
        int channels = shape != null ? shape.channels() : table.channels();
        checkArgument(
                channels < 0 || restoredAffine.fits(channels),
                "the savepoint's affine has %s entries, the layer has %s channels",
                restoredAffine.length(),
                channels);
        return new Normalization(this, restoredEps, restoredAffine, table);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds the normalization to {@code input}. Dead letters are the result's side output {@link
     * #DEAD_LETTERS}.
     */
    public SingleOutputStreamOperator<FeatureRecord> apply(DataStream<FeatureRecord> input) {
        SingleOutputStreamOperator<FeatureRecord> out;
        if (scope == Scope.GLOBAL) {
            return GlobalNormalization.apply(this, input);
        }
        if (norm.isPerRecord()) {
            out =
                    input.process(
                            new PerRecordNormFunction(this),
                            FeatureRecordTypeInfoFactory.TYPE_INFO);
        } else {
            out =
                    input.keyBy(FeatureRecord::key, Types.STRING)
                            .transform(
                                    "normalize",
                                    FeatureRecordTypeInfoFactory.TYPE_INFO,
                                    KeyedNormFunctions.create(this));
        }
        return out.uid(OPERATOR_UID).name("normalize (" + describe() + ")");
    }

    /**
     * Eval mode following {@code updates}: each update replaces the served stats table from its
     * effective time on, per record event time (the rule and its determinism: {@link
     * FollowingEvalFunction}). Records need event-time timestamps and watermarks, and so do the
     * updates (their {@link StatsUpdate#effectiveFrom()}); an idle updates stream should be marked
     * idle so that it does not hold records back. The updates are broadcast to every subtask.
     *
     * @throws IllegalArgumentException unless this is batch norm in eval mode with key scope
     */
    public SingleOutputStreamOperator<FeatureRecord> applyFollowing(
            DataStream<FeatureRecord> input, DataStream<StatsUpdate> updates) {
        checkArgument(
                norm == Norm.BATCH && mode == Mode.EVAL && scope == Scope.KEY,
                "stats updates apply to batch norm in eval mode with key scope only");
        return input.keyBy(FeatureRecord::key, Types.STRING)
                .connect(updates.broadcast(FollowingEvalFunction.UPDATES))
                .process(new FollowingEvalFunction(this), FeatureRecordTypeInfoFactory.TYPE_INFO)
                .uid(OPERATOR_UID)
                .name("normalize (" + describe() + " following stats updates)");
    }

    /** A short description such as {@code batch train pytorch m=0.1 batch=32}. */
    public String describe() {
        if (norm.isPerRecord()) {
            return norm.id() + (norm == Norm.GROUP ? " groups=" + groups : "");
        }
        String batching =
                batchInterval != null ? " interval=" + batchInterval : " batch=" + batchSize;
        return "batch "
                + (scope == Scope.GLOBAL ? "global " : "")
                + mode.id()
                + " "
                + convention.id()
                + " m="
                + momentum
                + (mode != Mode.EVAL && (mode == Mode.TRAIN || scope == Scope.GLOBAL)
                        ? batching
                        : "");
    }

    public Norm norm() {
        return norm;
    }

    public Mode mode() {
        return mode;
    }

    /** The configured shape, or null when it is learned per key. */
    @Nullable
    public RecordShape shape() {
        return shape;
    }

    public int batchSize() {
        return batchSize;
    }

    @Nullable
    public Duration batchInterval() {
        return batchInterval;
    }

    public Duration batchTimeout() {
        return batchTimeout;
    }

    public Momentum momentum() {
        return momentum;
    }

    public Convention convention() {
        return convention;
    }

    public double eps() {
        return eps;
    }

    public int groups() {
        return groups;
    }

    public Affine affine() {
        return affine;
    }

    public StatsTable initialStats() {
        return initialStats;
    }

    @Nullable
    public Duration stateTtl() {
        return stateTtl;
    }

    /** Per-key or global statistics. */
    public Scope scope() {
        return scope;
    }

    /** Whether eval mode following stats updates marks each record with its stats version. */
    public boolean emitStatsVersion() {
        return emitStatsVersion;
    }

    /** Whether train mode emits each key's final stats at the end of bounded input. */
    public boolean emitFinalStats() {
        return emitFinalStats;
    }

    /** How eval mode watches drift ({@link DriftReport#SIDE_OUTPUT}), or null when it does not. */
    @Nullable
    public DriftSettings drift() {
        return drift;
    }

    /** The running-stats update of this configuration. */
    public UpdatePolicy updatePolicy() {
        if (convention == Convention.KERAS) {
            return UpdatePolicy.keras(momentum.value());
        }
        return momentum.isCumulative()
                ? UpdatePolicy.cumulative()
                : UpdatePolicy.pytorch(momentum.value());
    }

    /** The batch-norm layer for records of {@code recordShape}. */
    public BatchNorm batchNorm(RecordShape recordShape) {
        return new BatchNorm(recordShape, eps, affine, updatePolicy());
    }

    /** Builder of {@link Normalization}; {@link #build()} validates everything. */
    @PublicEvolving
    public static final class Builder {
        private Norm norm = StreamnormOptions.NORM.defaultValue();
        private Mode mode = StreamnormOptions.MODE.defaultValue();
        @Nullable private RecordShape shape;
        private int batchSize = StreamnormOptions.BATCH_SIZE.defaultValue();
        @Nullable private Duration batchInterval;
        private Duration batchTimeout = StreamnormOptions.BATCH_TIMEOUT.defaultValue();
        @Nullable private Momentum momentum;
        private Convention convention = StreamnormOptions.CONVENTION.defaultValue();
        @Nullable private Double eps;
        @Nullable private Integer groups;
        private Affine affine = Affine.identity();
        private boolean affineGiven;
        @Nullable private RunningStats alignTo;
        private StatsTable initialStats = StatsTable.empty();
        private boolean statsFromSavepoint;
        @Nullable private Duration stateTtl;
        private boolean emitFinalStats;
        private boolean emitStatsVersion;
        private Scope scope = Scope.KEY;
        @Nullable private DriftSettings drift;

        Builder() {}

        /** Reads every {@link StreamnormOptions} that {@code config} sets. */
        public Builder setConfiguration(ReadableConfig config) {
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

        public Builder setNorm(Norm norm) {
            this.norm = checkNotNull(norm);
            return this;
        }

        public Builder setMode(Mode mode) {
            this.mode = checkNotNull(mode);
            return this;
        }

        /** The record shape C×L; unset, it is learned per key (C = length, L = 1). */
        public Builder setShape(@Nullable RecordShape shape) {
            this.shape = shape;
            return this;
        }

        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Event-time tumbling batches instead of count batches. */
        public Builder setBatchInterval(@Nullable Duration batchInterval) {
            this.batchInterval = batchInterval;
            return this;
        }

        /** How long a partial count batch may wait; {@link Duration#ZERO} waits forever. */
        public Builder setBatchTimeout(Duration batchTimeout) {
            this.batchTimeout = checkNotNull(batchTimeout);
            return this;
        }

        public Builder setMomentum(@Nullable Momentum momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder setConvention(Convention convention) {
            this.convention = checkNotNull(convention);
            return this;
        }

        public Builder setEps(@Nullable Double eps) {
            this.eps = eps;
            return this;
        }

        public Builder setGroups(@Nullable Integer groups) {
            this.groups = groups;
            return this;
        }

        /** Weight and bias: per channel (batch, group, instance) or per value (layer). */
        public Builder setAffine(Affine affine) {
            this.affine = checkNotNull(affine);
            this.affineGiven = true;
            return this;
        }

        /**
         * Re-scales every output channel to a reference distribution after normalizing (AdaIN-style
         * alignment): {@code y -> y * sqrt(running_var[c]) + running_mean[c]} of the {@code
         * reference}. Folded into the affine transform, so it costs nothing per record.
         */
        public Builder setAlignTo(@Nullable RunningStats reference) {
            this.alignTo = reference;
            return this;
        }

        /** Stats that eval mode serves and train mode starts from (key {@code *} = any key). */
        public Builder setInitialStats(StatsTable initialStats) {
            this.initialStats = checkNotNull(initialStats);
            return this;
        }

        /** Whether the job restores its running stats from a savepoint (eval without a file). */
        public Builder setStatsFromSavepoint(boolean statsFromSavepoint) {
            this.statsFromSavepoint = statsFromSavepoint;
            return this;
        }

        /** Forget keys not seen for this long; null keeps state forever. */
        public Builder setStateTtl(@Nullable Duration stateTtl) {
            this.stateTtl = stateTtl;
            return this;
        }

        /** Statistics per key (default) or shared by all records. */
        public Builder setScope(Scope scope) {
            this.scope = checkNotNull(scope);
            return this;
        }

        /** Emit each key's final running stats to {@link #FINAL_STATS} at end of input. */
        public Builder setEmitFinalStats(boolean emitFinalStats) {
            this.emitFinalStats = emitFinalStats;
            return this;
        }

        /**
         * Mark each record with the version of the stats that normalized it ({@link
         * FeatureRecord#statsVersion()}; {@link Normalization#applyFollowing} only).
         */
        public Builder setEmitStatsVersion(boolean emitStatsVersion) {
            this.emitStatsVersion = emitStatsVersion;
            return this;
        }

        /** Watch the drift of live features against the served stats (eval mode); null: off. */
        public Builder setDrift(@Nullable DriftSettings drift) {
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
                    batchInterval == null
                            || (!batchInterval.isNegative() && !batchInterval.isZero()),
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
                    !emitFinalStats
                            || (norm == Norm.BATCH
                                    && (mode == Mode.TRAIN
                                            || (scope == Scope.GLOBAL && mode == Mode.ONLINE))),
                    "final stats (--stats-out) exist only for batch norm in train mode (or"
                            + " online mode with --scope global)");
            checkArgument(
                    drift == null
                            || (norm == Norm.BATCH && mode == Mode.EVAL && scope == Scope.KEY),
                    "--drift applies to batch norm in eval mode with key scope");
            checkPerRecordOptions();
            if (norm == Norm.BATCH) {
                checkBatchOptions();
            }
            return new Normalization(this, alignTo == null ? affine : alignedAffine(alignTo));
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

        private void checkPerRecordOptions() {
            checkArgument(
                    groups == null || norm == Norm.GROUP, "groups only applies to --norm group");
            if (norm == Norm.GROUP) {
                checkArgument(groups != null, "group norm needs --groups");
                checkArgument(groups > 0, "groups must be positive, got %s", groups);
                checkArgument(shape != null, "group norm needs --shape C or CxL");
                checkArgument(
                        shape.channels() % groups == 0,
                        "groups must divide channels: %s groups, %s channels",
                        groups,
                        shape.channels());
            }
            if (norm == Norm.INSTANCE) {
                checkArgument(
                        shape != null && shape.positions() >= 2,
                        "instance norm needs --shape CxL with L >= 2 (a plain vector has no"
                                + " instance to normalize), got %s",
                        shape == null ? "no shape" : shape);
            }
            checkArgument(
                    norm != Norm.L2 || affine.isIdentity(), "l2 norm takes no affine transform");
            if (shape != null && !affine.isIdentity()) {
                int expected = norm == Norm.LAYER ? shape.size() : shape.channels();
                checkArgument(
                        affine.fits(expected),
                        "affine has %s entries, %s norm of shape %s needs %s",
                        affine.length(),
                        norm.id(),
                        shape,
                        expected);
            }
        }

        private void checkBatchOptions() {
            if (momentum != null && momentum.isCumulative()) {
                checkArgument(
                        convention == Convention.PYTORCH && mode == Mode.TRAIN,
                        "momentum 'cumulative' exists only for the pytorch convention in train"
                                + " mode");
            }
            if (convention == Convention.KERAS && momentum != null) {
                checkArgument(momentum.value() < 1, "keras momentum must be in (0, 1), got 1");
            }
            checkArgument(
                    mode != Mode.ONLINE || affine.isIdentity(),
                    "online mode takes no affine transform");
            checkArgument(
                    mode != Mode.EVAL || !initialStats.isEmpty() || statsFromSavepoint,
                    "eval mode needs statistics: --stats FILE or --from-savepoint PATH");
            checkArgument(
                    batchInterval == null || mode == Mode.TRAIN || scope == Scope.GLOBAL,
                    "batch-interval only applies to train mode");
            if (scope == Scope.GLOBAL) {
                checkArgument(
                        mode == Mode.EVAL || batchInterval != null,
                        "--scope global batches by event time: it needs --batch-interval");
                checkArgument(
                        mode != Mode.EVAL || initialStats.keys().contains(StatsTable.ANY_KEY),
                        "--scope global in eval mode needs stats under key '*'");
                checkArgument(
                        shape != null || !initialStats.isEmpty(),
                        "--scope global needs --shape (or stats that fix the channels)");
            }
            int channels = shape != null ? shape.channels() : initialStats.channels();
            checkArgument(
                    shape == null
                            || initialStats.isEmpty()
                            || initialStats.channels() == shape.channels(),
                    "stats have %s channels, shape %s has %s",
                    initialStats.channels(),
                    shape,
                    channels);
            checkArgument(
                    channels < 0 || affine.fits(channels),
                    "affine has %s entries, expected one per channel (%s)",
                    affine.length(),
                    channels);
        }
    }
}
