package dev.streamnorm.jobs.cli;

import java.util.Locale;

/** An option whose value names an enum constant, written in lower case with dashes. */
final class EnumOption {
    private EnumOption() {}

    /** {@code exactly-once} → {@code EXACTLY_ONCE}, with a message listing the choices. */
    static <E extends Enum<E>> E valueOf(Class<E> type, String value, String option) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(name)) {
                return constant;
            }
        }
        StringBuilder choices = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            choices.append(choices.length() == 0 ? "" : ", ")
                    .append(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new IllegalArgumentException(
                option + " must be one of " + choices + ", got '" + value + "'");
    }
}
