package dev.streamnorm.jobs.conformance;

/** A golden-vector file or directory that cannot be read or is not in the golden format. */
public final class UnreadableCaseException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableCaseException(String message) {
        super(message);
    }
}
