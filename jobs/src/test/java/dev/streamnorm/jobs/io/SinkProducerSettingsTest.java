package dev.streamnorm.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SinkProducerSettingsTest {
    @Test
    void exactlyOnceBatchesLargeAndLingers() {
        Properties props = SinkProducerSettings.of(KafkaSettings.none(), true);

        assertThat(props.getProperty("batch.size")).isEqualTo("131072");
        assertThat(props.getProperty("linger.ms")).isEqualTo("50");
    }

    @Test
    void atLeastOnceBatchesLargeButKeepsKafkasLinger() {
        Properties props = SinkProducerSettings.of(KafkaSettings.none(), false);

        assertThat(props.getProperty("batch.size")).isEqualTo("131072");
        assertThat(props).doesNotContainKey("linger.ms");
    }

    @Test
    void theUsersSettingsWin() {
        KafkaSettings user =
                new KafkaSettings(
                        Map.of(
                                "batch.size", "32768",
                                "linger.ms", "0",
                                "security.protocol", "SASL_SSL"));

        Properties props = SinkProducerSettings.of(user, true);

        assertThat(props.getProperty("batch.size")).isEqualTo("32768");
        assertThat(props.getProperty("linger.ms")).isEqualTo("0");
        assertThat(props.getProperty("security.protocol")).isEqualTo("SASL_SSL");
    }

    @Test
    void aSmallBufferHoldsEightBatches() {
        Properties small =
                SinkProducerSettings.of(new KafkaSettings(Map.of("buffer.memory", "262144")), true);
        Properties large =
                SinkProducerSettings.of(
                        new KafkaSettings(Map.of("buffer.memory", "67108864")), true);

        assertThat(small.getProperty("batch.size")).isEqualTo("32768");
        assertThat(small.getProperty("buffer.memory")).isEqualTo("262144");
        assertThat(large.getProperty("batch.size")).isEqualTo("131072");
    }

    @Test
    void aBufferKafkaWillRejectLeavesTheMessageToKafka() {
        Properties props =
                SinkProducerSettings.of(new KafkaSettings(Map.of("buffer.memory", "lots")), true);

        assertThat(props.getProperty("batch.size")).isEqualTo("131072");
        assertThat(props.getProperty("buffer.memory")).isEqualTo("lots");
    }

    @Test
    void theDefaultsAndGoodSettingsPassTheCheck() {
        assertThatNoException()
                .isThrownBy(() -> SinkProducerSettings.check(KafkaSettings.none(), true));
        assertThatNoException()
                .isThrownBy(
                        () ->
                                SinkProducerSettings.check(
                                        new KafkaSettings(Map.of("linger.ms", "0", "acks", "all")),
                                        false));
    }

    @Test
    void aBadSettingIsOneLineWithKafkasReason() {
        assertThatThrownBy(
                        () ->
                                SinkProducerSettings.check(
                                        new KafkaSettings(Map.of("linger.ms", "soon")), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--kafka-property: ")
                .hasMessageContaining("linger.ms")
                .hasMessageContaining("soon");
        assertThatThrownBy(
                        () ->
                                SinkProducerSettings.check(
                                        new KafkaSettings(Map.of("batch.size", "-1")), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch.size");
    }
}
