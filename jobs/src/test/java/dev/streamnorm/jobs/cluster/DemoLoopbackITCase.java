package dev.streamnorm.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code streamnorm demo}, in its own JVM as the launcher runs it: while it streams, every server
 * in the process listens on 127.0.0.1 only: Flink's (Web UI and REST API, BLOB server, RPC) and the
 * in-process Kafka broker's (its broker and controller listeners, told apart by the ports it logs),
 * and the Web UI it prints answers there.
 */
class DemoLoopbackITCase {
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final Pattern KAFKA_LISTENER =
            Pattern.compile("Awaiting socket connections on [^:\\s]+:(\\d+)");

    @RegisterExtension final JvmProcesses processes = new JvmProcesses(60);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyServerOfTheDemoListensOnLoopbackOnly() throws Exception {
        Path dir = BuildOutputs.runDirectory("demo-loopback");
        JvmProcess demo =
                StreamnormProcess.start(
                        processes,
                        "demo",
                        dir,
                        List.of("demo", "--keep-running", "--rate", "200", "--keys", "2"));
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!demo.output().contains("normalized")) {
            assertThat(demo.isAlive()).as("the demo is running").isTrue();
            assertThat(System.nanoTime()).as("the demo streams in time").isLessThan(deadline);
            Thread.sleep(200);
        }
        List<String> listening = ListeningSockets.of(demo.pid());
        List<String> kafkaPorts = new ArrayList<>();
        Matcher kafka = KAFKA_LISTENER.matcher(Files.readString(dir.resolve("demo.log")));
        while (kafka.find()) {
            kafkaPorts.add(kafka.group(1));
        }
        String ui =
                demo.output()
                        .replaceAll("(?s).*Flink Web UI: http://127\\.0\\.0\\.1:(\\d+).*", "$1");
        FlinkRest rest = new FlinkRest(Integer.parseInt(ui));
        int jobs = rest.get("/jobs/overview").path("jobs").size();
        demo.kill();

        assertThat(listening)
                .as("addresses the demo listens on")
                .isNotEmpty()
                .contains("127.0.0.1:" + ui)
                .allMatch(address -> address.startsWith("127.0.0.1:"));
        assertThat(kafkaPorts).as("listeners the demo's Kafka broker logs").hasSize(2);
        assertThat(listening)
                .as("the Kafka broker's listeners among them")
                .containsAll(kafkaPorts.stream().map(port -> "127.0.0.1:" + port).toList());
        assertThat(jobs).as("jobs the Web UI shows").isEqualTo(1);
    }

    /**
     * A whole bounded demo, training and drift phase (each with its own local Flink): the sockets
     * it listens on, sampled every 100 ms until it exits, are all on 127.0.0.1.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyPhaseOfABoundedDemoListensOnLoopbackOnly() throws Exception {
        Path dir = BuildOutputs.runDirectory("demo-loopback-phases");
        JvmProcess demo =
                StreamnormProcess.start(
                        processes,
                        "demo",
                        dir,
                        List.of(
                                "demo",
                                "--records",
                                "3000",
                                "--keys",
                                "2",
                                "--drift-records",
                                "3000",
                                "--report",
                                dir.resolve("report.html").toString()));
        Set<String> whileDrifting = new TreeSet<>();
        Set<String> seen = listeningUntilExit(demo, "drift phase:", "drift report:", whileDrifting);

        assertThat(whileDrifting).as("addresses listened on during the drift phase").isNotEmpty();
        assertThat(seen)
                .as("addresses the demo listened on")
                .allMatch(address -> address.startsWith("127.0.0.1:"));
    }

    /** {@code demo --sql}, sampled the same way. */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theSqlDemoListensOnLoopbackOnly() throws Exception {
        Path dir = BuildOutputs.runDirectory("demo-loopback-sql");
        JvmProcess demo =
                StreamnormProcess.start(
                        processes,
                        "demo",
                        dir,
                        List.of("demo", "--sql", "--records", "3000", "--keys", "2"));
        Set<String> whileRunning = new TreeSet<>();
        Set<String> seen =
                listeningUntilExit(demo, "the SQL script", "the job finished", whileRunning);

        assertThat(whileRunning).as("addresses listened on while the SQL job ran").isNotEmpty();
        assertThat(seen)
                .as("addresses the SQL demo listened on")
                .allMatch(address -> address.startsWith("127.0.0.1:"));
    }

    /**
     * The addresses {@code demo} listens on, sampled every 100 ms until it exits (with code 0);
     * those sampled after its output shows {@code from} and before it shows {@code until} also go
     * to {@code window}.
     */
    private static Set<String> listeningUntilExit(
            JvmProcess demo, String from, String until, Set<String> window) throws Exception {
        Set<String> seen = new TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (demo.isAlive()) {
            assertThat(System.nanoTime()).as("the demo ends in time").isLessThan(deadline);
            boolean inWindow = demo.output().contains(from);
            try {
                List<String> listening = ListeningSockets.of(demo.pid());
                seen.addAll(listening);
                if (inWindow && !demo.output().contains(until)) {
                    window.addAll(listening);
                }
            } catch (IOException exited) {
                // the process ended between the check and the reading of /proc
            }
            Thread.sleep(100);
        }
        assertThat(demo.awaitExit(Duration.ofSeconds(10)))
                .as("exit code: " + demo.output())
                .isZero();
        return seen;
    }
}
