package dev.streamnorm.jobs.cli;

/** Exit codes of the {@code streamnorm} command line. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;

    /** The command ran and found a failure (for example a conformance mismatch). */
    public static final int FAILED = 1;

    /** Bad options, arguments or input files: nothing ran. */
    public static final int USAGE = 2;

    private ExitCodes() {}

    /**
     * Prints {@code streamnorm <command>: message} on one line of stderr; returns {@link #USAGE}.
     */
    static int usageError(picocli.CommandLine.Model.CommandSpec spec, String message) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + message);
        spec.commandLine().getErr().flush();
        return USAGE;
    }

    /**
     * Prints {@code streamnorm <command>: what: root cause} on one line of stderr; returns {@link
     * #FAILED}.
     */
    static int failed(picocli.CommandLine.Model.CommandSpec spec, String what, Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String log = System.getProperty("streamnorm.log.file");
        spec.commandLine()
                .getErr()
                .println(
                        spec.qualifiedName()
                                + ": "
                                + what
                                + ": "
                                + cause
                                + (log == null ? "" : " (details in " + log + ")"));
        spec.commandLine().getErr().flush();
        return FAILED;
    }
}
