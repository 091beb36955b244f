package dev.streamnorm.sql;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.util.TimeUtils;

/** The literal values of a call's scalar arguments, by name. */
final class CallArguments {
    private final NormSignature signature;
    private final CallContext context;

    CallArguments(NormSignature signature, CallContext context) {
        this.signature = signature;
        this.context = context;
    }

    @Nullable
    <T> T value(String name, Class<T> type) {
        int position = signature.position(name);
        if (position < 0 || context.isArgumentNull(position)) {
            return null;
        }
        return context.getArgumentValue(position, type)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "argument '"
                                                + name
                                                + "' must be a constant "
                                                + type.getSimpleName()
                                                + " value"
                                                + (type == Double.class
                                                        ? " such as 1e-3 (Flink SQL reads"
                                                                + " 0.001 as a DECIMAL)"
                                                        : "")));
    }

    @Nullable
    String string(String name) {
        return value(name, String.class);
    }

    @Nullable
    Duration duration(String name) {
        String text = string(name);
        if (text == null) {
            return null;
        }
        Duration duration = parse(name, () -> TimeUtils.parseDuration(text));
        if (duration.isNegative()) {
            throw new IllegalArgumentException(
                    "argument '" + name + "' must not be negative, got '" + text + "'");
        }
        return duration;
    }

    <E extends Enum<E>> E choice(String name, Class<E> type, String text) {
        String wanted = text.trim().toUpperCase(Locale.ROOT);
        StringBuilder choices = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
            choices.append(choices.length() == 0 ? "" : ", ")
                    .append('\'')
                    .append(constant.name().toLowerCase(Locale.ROOT))
                    .append('\'');
        }
        throw new IllegalArgumentException(
                "argument '" + name + "' must be one of " + choices + ", got '" + text + "'");
    }

    <T> T parse(String name, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("argument '" + name + "': " + e.getMessage(), e);
        }
    }
}
