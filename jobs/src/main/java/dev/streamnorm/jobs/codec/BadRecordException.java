package dev.streamnorm.jobs.codec;

import dev.streamnorm.operators.ErrorCode;

/** A message that is not a valid record; carries the dead-letter code and a readable reason. */
public final class BadRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode error;

    public BadRecordException(ErrorCode error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public ErrorCode error() {
        return error;
    }
}
