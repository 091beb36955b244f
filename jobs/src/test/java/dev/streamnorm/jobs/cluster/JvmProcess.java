package dev.streamnorm.jobs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java program running in its own JVM, started by {@link JvmProcesses}: its stdout and stderr go
 * to {@code <name>.out} in the log directory, its log4j log (when the program logs) to {@code
 * <name>.log}.
 */
public final class JvmProcess {
    private final String name;
    private final Process process;
    private final List<Path> logs;

    JvmProcess(String name, Process process, List<Path> logs) {
        this.name = name;
        this.process = process;
        this.logs = logs;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process with SIGKILL (no shutdown hooks run) and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for the process to exit and returns its exit code.
     *
     * @throws AssertionError naming the process and showing its output when it does not exit in
     *     time
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError(
                    name + " did not exit within " + timeout.toSeconds() + " s:\n" + tail(40));
        }
        return process.exitValue();
    }

    /** Everything the process wrote to stdout and stderr so far. */
    public String output() {
        return read(logs.get(0));
    }

    /** The last {@code lines} lines of each of the process's log files. */
    public String tail(int lines) {
        StringBuilder text = new StringBuilder();
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            List<String> all = read(log).lines().toList();
            text.append("---- ")
                    .append(log)
                    .append(" (last ")
                    .append(Math.min(lines, all.size()))
                    .append(" of ")
                    .append(all.size())
                    .append(" lines)\n");
            for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
                text.append(line).append('\n');
            }
        }
        return text.toString();
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + (isAlive() ? ")" : ", exited)");
    }
}
