package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.internal.FollowingEvalFunction;
import dev.streamnorm.operators.typeutils.DeadLetterTypeInfoFactory;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.BatchNorm;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.UpdatePolicy;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import dev.streamnorm.state.typeutils.ScalerStatsTypeInfoFactory;
import java.io.Serializable;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
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
     * {@link NormalizationBuilder#setEmitFinalStats} is on).
     */
    public static final OutputTag<Tuple2<String, RunningStats>> FINAL_STATS =
            new OutputTag<>(
                    "final-stats",
                    Types.TUPLE(Types.STRING, RunningStatsTypeInfoFactory.TYPE_INFO));

    /**
     * Side output of each key's final scaler statistics at the end of bounded input (a scaler norm
     * in train mode, when {@link NormalizationBuilder#setEmitFinalStats} is on).
     */
    public static final OutputTag<Tuple2<String, ScalerStats>> FINAL_SCALER_STATS =
            new OutputTag<>(
                    "final-scaler-stats",
                    Types.TUPLE(Types.STRING, ScalerStatsTypeInfoFactory.TYPE_INFO));

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
    final ScalerParams scalerParams;
    @Nullable final ScalerTable scalerTable;
    final boolean robustExact;
    @Nullable final DriftSettings drift;

    Normalization(NormalizationBuilder b, Affine affine) {
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
        this.scalerParams = b.scalerParams;
        this.scalerTable = b.scalerTable;
        this.robustExact = b.robustExact;
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
        this.scalerParams = base.scalerParams;
        this.scalerTable = base.scalerTable;
        this.robustExact = base.robustExact;
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

    public static NormalizationBuilder builder() {
        return new NormalizationBuilder();
    }

    /**
     * Adds the normalization to {@code input}. Dead letters are the result's side output {@link
     * #DEAD_LETTERS}. The operator runs at the environment's parallelism; when that and {@code
     * input}'s are 1, a keyed operator chains to {@code input} without a keyBy ({@link
     * RecordKeying}), so do not change the result's parallelism afterwards.
     */
    public SingleOutputStreamOperator<FeatureRecord> apply(DataStream<FeatureRecord> input) {
        return norm.plan().apply(this, input);
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
        return RecordKeying.byKey(input)
                .connect(updates.broadcast(FollowingEvalFunction.UPDATES))
                .process(new FollowingEvalFunction(this), FeatureRecordTypeInfoFactory.TYPE_INFO)
                .uid(OPERATOR_UID)
                .name("normalize (" + describe() + " following stats updates)");
    }

    /** A short description such as {@code batch train pytorch m=0.1 batch=32}. */
    public String describe() {
        return norm.plan().describe(this);
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

    /** The scikit-learn constructor parameters of a scaler norm. */
    public ScalerParams scalerParams() {
        return scalerParams;
    }

    /** The fitted scaler per key that eval mode serves and train mode starts from, if any. */
    @Nullable
    public ScalerTable scalerTable() {
        return scalerTable;
    }

    /** How eval mode watches drift ({@link DriftReport#SIDE_OUTPUT}), or null when it does not. */
    @Nullable
    public DriftSettings drift() {
        return drift;
    }

    /** Whether the robust scaler keeps every value for exact quantiles (bounded inputs). */
    public boolean robustExact() {
        return robustExact;
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
}
