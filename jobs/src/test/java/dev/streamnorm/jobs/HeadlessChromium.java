package dev.streamnorm.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless: loads a page with the network off, returns the DOM after its scripts
 * ran and what the browser logged (console messages and uncaught script errors).
 */
final class HeadlessChromium {
    static final String BINARY = "/usr/bin/chromium";

    /** The rendered DOM and the browser's log of one page load. */
    static final class Page {
        final String dom;
        final String log;

        Page(String dom, String log) {
            this.dom = dom;
            this.log = log;
        }

        /** The lines of the log that report a script error or a console message. */
        List<String> scriptErrors() {
            return log.lines()
                    .filter(
                            line ->
                                    line.contains("CONSOLE")
                                            || line.contains("Uncaught")
                                            || line.contains("ERR_"))
                    .toList();
        }
    }

    private HeadlessChromium() {}

    static Page load(Path page, Path workDir) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(workDir, "chromium-profile");
        Path dom = workDir.resolve("dom.html");
        Path log = workDir.resolve("chromium.log");
        Process process =
                new ProcessBuilder(
                                BINARY,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--no-first-run",
                                "--proxy-server=127.0.0.1:9",
                                "--user-data-dir=" + profile,
                                "--enable-logging=stderr",
                                "--v=0",
                                "--virtual-time-budget=2000",
                                "--dump-dom",
                                page.toUri().toString())
                        .redirectOutput(dom.toFile())
                        .redirectError(log.toFile())
                        .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish loading " + page);
        }
        String logText = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(
                    "chromium exited with " + process.exitValue() + ": " + logText);
        }
        return new Page(Files.readString(dom, StandardCharsets.UTF_8), logText);
    }
}
