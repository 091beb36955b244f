package dev.streamnorm.bench.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Command-line options of the harness: {@code --name value} pairs, each with a default. */
final class Args {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> used = new LinkedHashMap<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "expected --name value pairs, got '"
                                + name
                                + "' in "
                                + Arrays.toString(args));
            }
            values.put(name.substring(2), args[++i]);
        }
    }

    String string(String name, String defaultValue) {
        String value = values.getOrDefault(name, defaultValue);
        used.put(name, value);
        return value;
    }

    long longValue(String name, long defaultValue) {
        return Long.parseLong(string(name, Long.toString(defaultValue)).replace("_", ""));
    }

    int intValue(String name, int defaultValue) {
        return Math.toIntExact(longValue(name, defaultValue));
    }

    boolean bool(String name, boolean defaultValue) {
        return Boolean.parseBoolean(string(name, Boolean.toString(defaultValue)));
    }

    Duration duration(String name, Duration defaultValue) {
        String text = string(name, defaultValue.toMillis() + "ms");
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        if (text.endsWith("s")) {
            return Duration.ofMillis(
                    Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
        }
        return Duration.ofMillis(Long.parseLong(text));
    }

    List<String> list(String name, String defaultValue) {
        List<String> items = new ArrayList<>();
        for (String item : string(name, defaultValue).split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    /** Fails on options that no one asked for (typos). */
    void checkAllUsed() {
        for (String name : values.keySet()) {
            if (!used.containsKey(name)) {
                throw new IllegalArgumentException(
                        "unknown option --" + name + "; known: " + used.keySet());
            }
        }
    }

    /** Every option with the value in effect, for the report header. */
    String describe() {
        StringBuilder text = new StringBuilder();
        used.forEach(
                (k, v) -> text.append(text.length() == 0 ? "" : " ").append("--" + k + " " + v));
        return text.toString();
    }
}
