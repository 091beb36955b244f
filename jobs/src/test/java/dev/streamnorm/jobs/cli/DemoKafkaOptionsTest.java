package dev.streamnorm.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Kafka options of {@code streamnorm demo} that are wrong before any broker is asked, and an
 * unreachable {@code --bootstrap-servers}: one line on stderr, exit code 2, nothing printed.
 */
class DemoKafkaOptionsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int demo(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        return StreamnormCli.execute(all, new PrintWriter(out), new PrintWriter(err));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--kafka-property | security.protocol=SSL | --kafka-property needs --bootstrap-servers",
                "--kafka-timeout | 0s | --kafka-timeout must be positive",
                "--sql | --bootstrap-servers=127.0.0.1:9092 | --sql runs on the in-process broker only",
            })
    void badCombinationsGiveOneLineAndExitTwo(String option, String value, String message) {
        assertThat(demo(option, value)).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).startsWith("streamnorm demo: ").contains(message);
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void unreachableBrokerGivesOneLineAndExitTwoWithinTheTimeout() {
        long start = System.nanoTime();

        int code =
                demo(
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--kafka-timeout",
                        "2s",
                        "--kafka-property",
                        "sasl.jaas.config=x password=\"pw-never-shown\";");

        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString())
                .startsWith(
                        "streamnorm demo: cannot reach a broker at kafka://127.0.0.1:1 within 2 s")
                .doesNotContain("pw-never-shown");
        assertThat(err.toString().trim().lines()).hasSize(1);
        assertThat(out.toString()).isEmpty();
        assertThat(seconds).as("seconds to fail").isLessThan(15);
    }
}
