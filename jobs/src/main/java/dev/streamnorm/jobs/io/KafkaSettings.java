package dev.streamnorm.jobs.io;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client properties given on the command line ({@code --kafka-property k=v}), such as
 * SASL/SSL settings, applied to every Kafka source and sink. {@link #toString()} masks secrets, so
 * these can be logged.
 */
public final class KafkaSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, String> properties;

    public KafkaSettings(Map<String, String> properties) {
        this.properties = new TreeMap<>(properties);
    }

    public static KafkaSettings none() {
        return new KafkaSettings(Map.of());
    }

    /** A copy of the properties, for a Kafka client. */
    public Properties toProperties() {
        Properties result = new Properties();
        result.putAll(properties);
        return result;
    }

    /** Whether {@code key} names a secret (password, key, JAAS config, token). */
    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("secret")
                || k.contains("jaas")
                || k.contains("token")
                || k.endsWith(".key")
                || k.contains("credential");
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(e.getKey())
                    .append('=')
                    .append(isSecret(e.getKey()) ? "******" : e.getValue());
        }
        return text.append('}').toString();
    }
}
