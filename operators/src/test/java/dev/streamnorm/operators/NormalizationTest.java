package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.operators.typeutils.StatsUpdateTypeInfoFactory;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.UpdatePolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link NormalizationBuilder#build()}: defaults, options, and clear rejections. */
class NormalizationTest {

    private static final String CUMULATIVE_ONLY =
            "momentum 'cumulative' exists only for the pytorch convention in train mode";

    private static final StatsTable STATS = StatsTable.of(Map.of("*", RunningStats.initial(3)));

    @Test
    void defaultsFollowPyTorch() {
        Normalization config = Normalization.builder().build();
        assertThat(config.norm()).isEqualTo(Norm.BATCH);
        assertThat(config.mode()).isEqualTo(Mode.TRAIN);
        assertThat(config.shape()).isNull();
        assertThat(config.batchSize()).isEqualTo(32);
        assertThat(config.batchTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.batchInterval()).isNull();
        assertThat(config.momentum()).isEqualTo(Momentum.of(0.1));
        assertThat(config.convention()).isEqualTo(Convention.PYTORCH);
        assertThat(config.eps()).isEqualTo(1e-5);
        assertThat(config.affine().isIdentity()).isTrue();
        assertThat(config.initialStats().isEmpty()).isTrue();
        assertThat(config.updatePolicy()).isEqualTo(UpdatePolicy.pytorch(0.1));
        assertThat(config.describe()).isEqualTo("batch train pytorch m=0.1 batch=32");
    }

    @Test
    void kerasDefaultsAndCumulativeMomentum() {
        Normalization keras = Normalization.builder().setConvention(Convention.KERAS).build();
        assertThat(keras.momentum()).isEqualTo(Momentum.of(0.99));
        assertThat(keras.eps()).isEqualTo(1e-3);
        assertThat(keras.updatePolicy()).isEqualTo(UpdatePolicy.keras(0.99));

        Normalization cumulative =
                Normalization.builder().setMomentum(Momentum.parse("None")).build();
        assertThat(cumulative.momentum().isCumulative()).isTrue();
        assertThat(cumulative.updatePolicy()).isSameAs(UpdatePolicy.cumulative());
        assertThat(cumulative.describe()).isEqualTo("batch train pytorch m=cumulative batch=32");
    }

    @Test
    void readsEveryOptionFromAFlinkConfiguration() {
        Configuration conf = new Configuration();
        conf.set(StreamnormOptions.NORM, Norm.BATCH);
        conf.set(StreamnormOptions.MODE, Mode.TRAIN);
        conf.set(StreamnormOptions.SHAPE, "4x2");
        conf.set(StreamnormOptions.BATCH_SIZE, 64);
        conf.set(StreamnormOptions.BATCH_INTERVAL, Duration.ofSeconds(5));
        conf.set(StreamnormOptions.BATCH_TIMEOUT, Duration.ZERO);
        conf.set(StreamnormOptions.MOMENTUM, "0.9");
        conf.set(StreamnormOptions.CONVENTION, Convention.KERAS);
        conf.set(StreamnormOptions.EPS, 0.01);
        conf.set(StreamnormOptions.STATE_TTL, Duration.ofHours(1));
        Normalization config = Normalization.builder().setConfiguration(conf).build();
        assertThat(config.shape()).isEqualTo(RecordShape.of(4, 2));
        assertThat(config.batchSize()).isEqualTo(64);
        assertThat(config.batchInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.batchTimeout()).isEqualTo(Duration.ZERO);
        assertThat(config.momentum()).isEqualTo(Momentum.of(0.9));
        assertThat(config.convention()).isEqualTo(Convention.KERAS);
        assertThat(config.eps()).isEqualTo(0.01);
        assertThat(config.stateTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(config.describe()).isEqualTo("batch train keras m=0.9 interval=PT5S");

        Configuration group = new Configuration();
        group.set(StreamnormOptions.NORM, Norm.GROUP);
        group.set(StreamnormOptions.SHAPE, "6");
        group.set(StreamnormOptions.GROUPS, 3);
        Normalization groupNorm = Normalization.builder().setConfiguration(group).build();
        assertThat(groupNorm.groups()).isEqualTo(3);
        assertThat(groupNorm.describe()).isEqualTo("group groups=3");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                reject(
                        "groups not dividing channels",
                        () -> group().setGroups(4).setShape(RecordShape.of(6, 2)),
                        "groups must divide channels: 4 groups, 6 channels"),
                reject(
                        "group norm without groups",
                        () ->
                                Normalization.builder()
                                        .setNorm(Norm.GROUP)
                                        .setShape(RecordShape.vector(4)),
                        "group norm needs --groups"),
                reject(
                        "group norm without shape",
                        () -> group().setGroups(2),
                        "group norm needs --shape C or CxL"),
                reject(
                        "zero groups",
                        () -> group().setGroups(0).setShape(RecordShape.vector(4)),
                        "groups must be positive, got 0"),
                reject(
                        "groups for batch norm",
                        () -> Normalization.builder().setGroups(2),
                        "groups only applies to --norm group"),
                reject(
                        "instance norm without shape",
                        () -> Normalization.builder().setNorm(Norm.INSTANCE),
                        "instance norm needs --shape CxL with L >= 2 (a plain vector has no"
                                + " instance to normalize), got no shape"),
                reject(
                        "instance norm with L = 1",
                        () ->
                                Normalization.builder()
                                        .setNorm(Norm.INSTANCE)
                                        .setShape(RecordShape.vector(8)),
                        "instance norm needs --shape CxL with L >= 2 (a plain vector has no"
                                + " instance to normalize), got 8"),
                reject(
                        "eval without stats",
                        () -> Normalization.builder().setMode(Mode.EVAL),
                        "eval mode needs statistics: --stats FILE or --from-savepoint PATH"),
                reject(
                        "cumulative momentum with keras",
                        () ->
                                Normalization.builder()
                                        .setConvention(Convention.KERAS)
                                        .setMomentum(Momentum.cumulative()),
                        CUMULATIVE_ONLY),
                reject(
                        "cumulative momentum online",
                        () ->
                                Normalization.builder()
                                        .setMode(Mode.ONLINE)
                                        .setMomentum(Momentum.cumulative()),
                        CUMULATIVE_ONLY),
                reject(
                        "cumulative momentum in eval",
                        () ->
                                Normalization.builder()
                                        .setMode(Mode.EVAL)
                                        .setInitialStats(STATS)
                                        .setMomentum(Momentum.cumulative()),
                        CUMULATIVE_ONLY),
                reject(
                        "keras momentum 1",
                        () ->
                                Normalization.builder()
                                        .setConvention(Convention.KERAS)
                                        .setMomentum(Momentum.of(1)),
                        "keras momentum must be in (0, 1), got 1"),
                reject(
                        "negative batch size",
                        () -> Normalization.builder().setBatchSize(-3),
                        "batch-size must be positive, got -3"),
                reject(
                        "zero batch size",
                        () -> Normalization.builder().setBatchSize(0),
                        "batch-size must be positive, got 0"),
                reject(
                        "negative batch timeout",
                        () -> Normalization.builder().setBatchTimeout(Duration.ofMillis(-1)),
                        "batch-timeout must not be negative, got PT-0.001S"),
                reject(
                        "zero batch interval",
                        () -> Normalization.builder().setBatchInterval(Duration.ZERO),
                        "batch-interval must be positive, got PT0S"),
                reject(
                        "batch interval in eval mode",
                        () ->
                                Normalization.builder()
                                        .setMode(Mode.EVAL)
                                        .setStatsFromSavepoint(true)
                                        .setBatchInterval(Duration.ofSeconds(1)),
                        "batch-interval only applies to train mode"),
                reject(
                        "batch interval in online mode",
                        () ->
                                Normalization.builder()
                                        .setMode(Mode.ONLINE)
                                        .setBatchInterval(Duration.ofSeconds(1)),
                        "batch-interval only applies to train mode"),
                reject(
                        "affine of the wrong length for the shape",
                        () ->
                                Normalization.builder()
                                        .setShape(RecordShape.of(3, 4))
                                        .setAffine(Affine.of(new double[] {1, 2}, null)),
                        "affine has 2 entries, batch norm of shape 3x4 needs 3"),
                reject(
                        "affine of the wrong length for layer norm",
                        () ->
                                Normalization.builder()
                                        .setNorm(Norm.LAYER)
                                        .setShape(RecordShape.of(3, 4))
                                        .setAffine(Affine.of(null, new double[] {1, 2, 3})),
                        "affine has 3 entries, layer norm of shape 3x4 needs 12"),
                reject(
                        "affine of the wrong length for the stats",
                        () ->
                                Normalization.builder()
                                        .setMode(Mode.EVAL)
                                        .setInitialStats(STATS)
                                        .setAffine(
                                                Affine.of(
                                                        new double[] {1, 2}, new double[] {0, 0})),
                        "affine has 2 entries, expected one per channel (3)"),
                reject(
                        "stats of another shape",
                        () ->
                                Normalization.builder()
                                        .setMode(Mode.EVAL)
                                        .setInitialStats(STATS)
                                        .setShape(RecordShape.vector(4)),
                        "stats have 3 channels, shape 4 has 4"),
                reject(
                        "affine with l2 norm",
                        () ->
                                Normalization.builder()
                                        .setNorm(Norm.L2)
                                        .setAffine(Affine.of(new double[] {2}, null)),
                        "l2 norm takes no affine transform"),
                reject(
                        "affine online",
                        () ->
                                Normalization.builder()
                                        .setMode(Mode.ONLINE)
                                        .setAffine(Affine.of(new double[] {2}, null)),
                        "online mode takes no affine transform"),
                reject(
                        "negative eps",
                        () -> Normalization.builder().setEps(-1e-5),
                        "eps must be a finite number >= 0, got -1.0E-5"),
                reject(
                        "NaN eps",
                        () -> Normalization.builder().setEps(Double.NaN),
                        "eps must be a finite number >= 0, got NaN"),
                reject(
                        "zero TTL",
                        () -> Normalization.builder().setStateTtl(Duration.ZERO),
                        "state TTL must be positive, got PT0S"),
                reject(
                        "final stats in eval mode",
                        () ->
                                Normalization.builder()
                                        .setMode(Mode.EVAL)
                                        .setStatsFromSavepoint(true)
                                        .setEmitFinalStats(true),
                        "final stats (--stats-out) exist only for batch norm in train mode"));
    }

    private static NormalizationBuilder group() {
        return Normalization.builder().setNorm(Norm.GROUP);
    }

    private static Arguments reject(
            String name, Supplier<NormalizationBuilder> builder, String message) {
        return Arguments.of(name, builder, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void buildRejectsWithAClearMessage(
            String name, Supplier<NormalizationBuilder> builder, String message) {
        assertThatThrownBy(() -> builder.get().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void statsUpdatesOnlyFollowKeyedBatchNormInEvalMode() {
        StatsTable star = StatsTable.of(Map.of(StatsTable.ANY_KEY, RunningStats.initial(2)));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<FeatureRecord> records =
                env.fromData(
                        FeatureRecordTypeInfoFactory.TYPE_INFO, FeatureRecord.of("a", 1, 1, 2));
        DataStream<StatsUpdate> updates =
                env.fromData(StatsUpdateTypeInfoFactory.TYPE_INFO, new StatsUpdate("v1", 0, star));
        for (Normalization config :
                List.of(
                        Normalization.builder().build(),
                        Normalization.builder().setMode(Mode.ONLINE).build(),
                        Normalization.builder().setNorm(Norm.LAYER).build(),
                        Normalization.builder()
                                .setMode(Mode.EVAL)
                                .setScope(Scope.GLOBAL)
                                .setInitialStats(star)
                                .build())) {
            assertThatThrownBy(() -> config.applyFollowing(records, updates))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "stats updates apply to batch norm in eval mode with key scope only");
        }
        Normalization eval =
                Normalization.builder().setMode(Mode.EVAL).setInitialStats(star).build();
        assertThat(eval.applyFollowing(records, updates).getTransformation().getUid())
                .isEqualTo(Normalization.OPERATOR_UID);
    }

    @Test
    void momentumMustBeInTheUnitIntervalOrCumulative() {
        for (double bad : new double[] {0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> Momentum.of(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("momentum must be in (0, 1] or 'cumulative', got " + bad);
        }
        assertThatThrownBy(() -> Momentum.parse("fast"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("momentum must be a number in (0, 1] or 'cumulative', got 'fast'");
        assertThatThrownBy(() -> Momentum.parse("2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("momentum must be in (0, 1] or 'cumulative', got 2.0");
        assertThat(Momentum.parse(" Cumulative ")).isSameAs(Momentum.cumulative());
        assertThat(Momentum.parse("1").value()).isEqualTo(1.0);
        assertThatThrownBy(() -> Momentum.cumulative().value())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cumulative momentum has no fixed value");
    }

    @Test
    void aValidConfigurationOfEveryNormBuilds() {
        assertThat(Normalization.builder().setNorm(Norm.LAYER).build().describe())
                .isEqualTo("layer");
        assertThat(Normalization.builder().setNorm(Norm.L2).build().describe()).isEqualTo("l2");
        assertThat(
                        Normalization.builder()
                                .setNorm(Norm.INSTANCE)
                                .setShape(RecordShape.of(3, 2))
                                .setAffine(Affine.of(new double[] {1, 2, 3}, null))
                                .build()
                                .describe())
                .isEqualTo("instance");
        assertThat(
                        Normalization.builder()
                                .setMode(Mode.EVAL)
                                .setInitialStats(STATS)
                                .setShape(RecordShape.of(3, 5))
                                .build()
                                .describe())
                .isEqualTo("batch eval pytorch m=0.1");
        assertThat(
                        Normalization.builder()
                                .setMode(Mode.ONLINE)
                                .setMomentum(Momentum.of(0.3))
                                .build()
                                .describe())
                .isEqualTo("batch online pytorch m=0.3");
    }

    @Test
    void savedSettingsFillOnlyWhatWasNotGiven() {
        LayerSettings saved =
                LayerSettings.of(
                        RecordShape.vector(2),
                        Momentum.of(0.1),
                        Convention.PYTORCH,
                        1e-3,
                        Affine.of(new double[] {2, 3}, new double[] {0, 1}));
        RunningStats anyKey = RunningStats.of(new double[] {1, 2}, new double[] {4, 9}, 5);

        Normalization defaults = Normalization.builder().build().withSaved(saved, anyKey);
        assertThat(defaults.eps()).isEqualTo(1e-3);
        assertThat(defaults.affine()).isEqualTo(saved.affine());
        assertThat(defaults.initialStats().lookup("any")).contains(anyKey);

        StatsTable own = StatsTable.of(Map.of("*", RunningStats.initial(2)));
        Normalization explicit =
                Normalization.builder()
                        .setEps(0.5)
                        .setAffine(Affine.of(new double[] {7, 7}, null))
                        .setInitialStats(own)
                        .build()
                        .withSaved(saved, anyKey);
        assertThat(explicit.eps()).isEqualTo(0.5);
        assertThat(explicit.affine()).isEqualTo(Affine.of(new double[] {7, 7}, null));
        assertThat(explicit.initialStats().lookup("any")).contains(RunningStats.initial(2));
    }

    @Test
    void aSavedAffineMustFitTheShape() {
        LayerSettings saved =
                LayerSettings.of(
                        null,
                        Momentum.of(0.1),
                        Convention.PYTORCH,
                        1e-5,
                        Affine.of(new double[] {2, 3}, null));
        Normalization threeChannels =
                Normalization.builder().setShape(RecordShape.vector(3)).build();
        assertThatThrownBy(() -> threeChannels.withSaved(saved, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the savepoint's affine has 2 entries, the layer has 3 channels");
    }

    @Test
    void alignToIsFoldedIntoTheAffine() {
        RunningStats reference = RunningStats.of(new double[] {10, -1}, new double[] {4, 0.25}, 1);
        Normalization config =
                Normalization.builder()
                        .setAffine(Affine.of(new double[] {2, 1}, new double[] {1, 0}))
                        .setAlignTo(reference)
                        .build();
        assertThat(config.affine())
                .isEqualTo(Affine.of(new double[] {4, 0.5}, new double[] {12, -1}));
    }
}
