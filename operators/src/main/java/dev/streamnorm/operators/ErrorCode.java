package dev.streamnorm.operators;

/**
 * Why a record went to the dead letter, in the order of precedence: when several apply, the first
 * one in this order is reported.
 */
public enum ErrorCode {
    /** A message over {@code --max-record-bytes}, found before it is parsed. */
    TOO_LARGE("too-large"),
    MALFORMED_JSON("malformed-json"),
    MISSING_VALUES("missing-values"),
    NOT_A_NUMBER("not-a-number"),
    NON_FINITE("non-finite"),
    /** A {@code key} or {@code ts} field of the wrong type (found while decoding). */
    BAD_FIELD("bad-field"),
    WRONG_LENGTH("wrong-length"),
    NO_STATS("no-stats"),
    /** A stats-update message (eval mode following stats updates) that is not a stats file. */
    BAD_STATS_UPDATE("bad-stats-update");

    private final String code;

    ErrorCode(String code) {
        this.code = code;
    }

    /** The code written in the dead letter's {@code error} field. */
    public String code() {
        return code;
    }

    /** The constant for a code such as {@code "wrong-length"}. */
    public static ErrorCode ofCode(String code) {
        for (ErrorCode value : values()) {
            if (value.code.equals(code)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown error code '" + code + "'");
    }
}
