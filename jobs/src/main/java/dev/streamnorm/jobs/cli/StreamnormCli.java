package dev.streamnorm.jobs.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code streamnorm} command line. Bad options print one line on stderr and exit with code 2;
 * each command documents its own exit codes.
 */
@Command(
        name = "streamnorm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Real-time feature normalization on Apache Flink.",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            ConformanceCommand.class,
            StatsCommand.class,
            ReportCommand.class,
            SqlCommand.class,
            CommandLine.HelpCommand.class
        })
public final class StreamnormCli implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and returns its exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new StreamnormCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(StreamnormCli::oneLineUsageError);
        // Every option naming a local file takes a plain path or a file:// URI.
        cli.registerConverter(java.nio.file.Path.class, new LocalPathConverter());
        return cli.execute(args);
    }

    /** A bad option or argument: one line on stderr naming the command, exit code 2. */
    private static int oneLineUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr()
                .println(
                        cmd.getCommandSpec().qualifiedName()
                                + ": "
                                + e.getMessage()
                                + " (see --help)");
        cmd.getErr().flush();
        return ExitCodes.USAGE;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(args, out, err));
    }
}
