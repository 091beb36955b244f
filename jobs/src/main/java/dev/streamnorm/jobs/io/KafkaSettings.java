package dev.streamnorm.jobs.io;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka client properties given on the command line ({@code --kafka-property k=v}), such as
 * SASL/SSL settings, applied to every Kafka source and sink. {@link #toString()} masks secrets, so
 * these can be logged.
 */
public final class KafkaSettings implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String MASK = "******";
    private static final Pattern QUOTED_SECRET =
            Pattern.compile(
                    "(?:password|secret|token)\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

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

    /**
     * {@code text} with every secret of these settings replaced by {@code ******}: each secret
     * value, and each quoted password, secret or token inside it (a JAAS line), so that a message
     * of a Kafka client that quotes a setting can be shown.
     */
    public String mask(String text) {
        List<String> secrets = new ArrayList<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (isSecret(e.getKey()) && !e.getValue().isEmpty()) {
                secrets.add(e.getValue());
                Matcher quoted = QUOTED_SECRET.matcher(e.getValue());
                while (quoted.find()) {
                    if (!quoted.group(1).isEmpty()) {
                        secrets.add(quoted.group(1));
                    }
                }
            }
        }
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        String masked = text;
        for (String secret : secrets) {
            masked = masked.replace(secret, MASK);
        }
        return masked;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(e.getKey()).append('=').append(isSecret(e.getKey()) ? MASK : e.getValue());
        }
        return text.append('}').toString();
    }
}
