package dev.streamnorm.operators;

import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * streamnorm's settings as Flink {@link ConfigOption}s, read by {@link
 * NormalizationBuilder#setConfiguration}. Each mirrors a command-line option.
 */
@PublicEvolving
public final class StreamnormOptions {
    private StreamnormOptions() {}

    public static final ConfigOption<Norm> NORM =
            ConfigOptions.key("streamnorm.norm")
                    .enumType(Norm.class)
                    .defaultValue(Norm.BATCH)
                    .withDescription("Normalization: batch, layer, group, instance or l2.");

    public static final ConfigOption<Mode> MODE =
            ConfigOptions.key("streamnorm.mode")
                    .enumType(Mode.class)
                    .defaultValue(Mode.TRAIN)
                    .withDescription("Batch-norm mode: train, eval or online.");

    public static final ConfigOption<String> SHAPE =
            ConfigOptions.key("streamnorm.shape")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Record shape C or CxL. Unset: learned per key from its first record"
                                    + " (C = length, L = 1) and then enforced.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("streamnorm.batch.size")
                    .intType()
                    .defaultValue(32)
                    .withDescription("Records per mini-batch and key in train mode.");

    public static final ConfigOption<Duration> BATCH_INTERVAL =
            ConfigOptions.key("streamnorm.batch.interval")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Event-time tumbling mini-batches of this length instead of counts.");

    public static final ConfigOption<Duration> BATCH_TIMEOUT =
            ConfigOptions.key("streamnorm.batch.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "A partial count batch is closed after waiting this long (processing"
                                    + " time); 0 disables the timeout.");

    public static final ConfigOption<String> MOMENTUM =
            ConfigOptions.key("streamnorm.momentum")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Momentum in (0, 1] or 'cumulative'; default 0.1 (pytorch), 0.99"
                                    + " (keras).");

    public static final ConfigOption<Convention> CONVENTION =
            ConfigOptions.key("streamnorm.convention")
                    .enumType(Convention.class)
                    .defaultValue(Convention.PYTORCH)
                    .withDescription("Running-stats convention: pytorch or keras.");

    public static final ConfigOption<Double> EPS =
            ConfigOptions.key("streamnorm.eps")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "Added to the variance; default 1e-5 (pytorch), 1e-3 (keras).");

    public static final ConfigOption<Integer> GROUPS =
            ConfigOptions.key("streamnorm.groups")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Number of channel groups of group norm; must divide C.");

    public static final ConfigOption<Duration> STATE_TTL =
            ConfigOptions.key("streamnorm.state.ttl")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Forget the state of keys not seen for this long (processing time).");

    /**
     * Not a normalization setting: read from the job's configuration when a normalization is
     * applied ({@link RecordKeying}).
     */
    public static final ConfigOption<Boolean> KEYED_IN_PLACE =
            ConfigOptions.key("streamnorm.keyed-in-place")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "At parallelism 1, chain the keyed operator to its input instead of"
                                    + " shipping records over a keyBy (same state, same"
                                    + " savepoints). Such a job cannot be rescaled while it runs:"
                                    + " set false to rescale it with the adaptive scheduler's REST"
                                    + " API. The adaptive scheduler and reactive mode turn it off.");
}
