package dev.streamnorm.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
    @Test
    void secretsNeverAppearInItsText() {
        KafkaSettings settings =
                new KafkaSettings(
                        Map.of(
                                "security.protocol", "SASL_SSL",
                                "sasl.jaas.config",
                                        "PlainLoginModule username=\"u\" password=\"hunter2\";",
                                "ssl.truststore.password", "changeit",
                                "ssl.key.password", "k3y",
                                "ssl.keystore.key", "PEM-SECRET"));

        String text = settings.toString();

        assertThat(text)
                .contains("security.protocol=SASL_SSL")
                .doesNotContain("hunter2")
                .doesNotContain("changeit")
                .doesNotContain("k3y")
                .doesNotContain("PEM-SECRET")
                .contains("sasl.jaas.config=******");
        assertThat(settings.toProperties().getProperty("ssl.truststore.password"))
                .isEqualTo("changeit");
    }

    @Test
    void masksEverySecretInAMessage() {
        KafkaSettings settings =
                new KafkaSettings(
                        Map.of(
                                "security.protocol", "SASL_SSL",
                                "sasl.jaas.config",
                                        "ScramLoginModule required username=\"u\" password=\"hunter2\";",
                                "ssl.truststore.password", "changeit"));

        String masked =
                settings.mask(
                        "bad JAAS line ScramLoginModule required username=\"u\""
                                + " password=\"hunter2\"; near 'hunter2', truststore changeit,"
                                + " protocol SASL_SSL");

        assertThat(masked)
                .doesNotContain("hunter2")
                .doesNotContain("changeit")
                .contains("protocol SASL_SSL")
                .contains("near '******'")
                .contains("truststore ******");
    }
}
