package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamnorm.jobs.cli.StreamnormCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --align-to FILE#KEY} re-scales each normalized channel to the reference's mean and
 * standard deviation: {@code y * sqrt(running_var[c]) + running_mean[c]}.
 */
class AlignToITCase {
    private static final String REFERENCE =
            "{\"format\": \"streamnorm.stats/v1\", \"keys\": {"
                    + "\"other\": {\"running_mean\": [0, 0], \"running_var\": [1, 1]},"
                    + "\"ref\": {\"running_mean\": [50, -3], \"running_var\": [16, 0.25]}}}";

    @Test
    void evalOutputsFollowTheReferenceDistribution(@TempDir Path tmp) throws Exception {
        Path stats =
                Files.writeString(
                        tmp.resolve("bn.json"),
                        "{\"running_mean\": [1, 2], \"running_var\": [4, 9], \"weight\": [2, 1],"
                                + " \"bias\": [0.5, 0]}");
        Path reference = Files.writeString(tmp.resolve("ref.json"), REFERENCE);
        double[] x = {3, -4};
        List<String> out =
                run(tmp, x, "--mode", "eval", "--stats", stats, "--align-to", reference + "#ref");

        double[] y = Messages.values(Messages.parse(out.get(0)));
        double[] expected = {
            ((3 - 1) / Math.sqrt(4 + 1e-5) * 2 + 0.5) * 4 + 50,
            ((-4 - 2) / Math.sqrt(9 + 1e-5)) * 0.5 - 3
        };
        assertThat(y[0]).isCloseTo(expected[0], within(1e-12 * Math.abs(expected[0])));
        assertThat(y[1]).isCloseTo(expected[1], within(1e-12 * Math.abs(expected[1])));
    }

    @Test
    void layerNormIsAlignedPerChannelOverItsPositions(@TempDir Path tmp) throws Exception {
        Path reference = Files.writeString(tmp.resolve("ref.json"), REFERENCE);
        double[] x = {1, 2, 3, 6};
        List<String> out =
                run(tmp, x, "--norm", "layer", "--shape", "2x2", "--align-to", reference + "#ref");

        double mean = 3;
        double std = Math.sqrt((4 + 1 + 0 + 9) / 4.0 + 1e-5);
        double[] y = Messages.values(Messages.parse(out.get(0)));
        for (int i = 0; i < x.length; i++) {
            double expected = i < 2 ? (x[i] - mean) / std * 4 + 50 : (x[i] - mean) / std * 0.5 - 3;
            assertThat(y[i]).as("value %s", i).isCloseTo(expected, within(1e-12 * 50));
        }
    }

    private static List<String> run(Path tmp, double[] values, Object... options) throws Exception {
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, FeatureData.clean(1, "k", values) + "\n");
        Path out = tmp.resolve("out.jsonl");
        String[] args = new String[options.length + 5];
        args[0] = "run";
        args[1] = "--input";
        args[2] = in.toUri().toString();
        args[3] = "--output";
        args[4] = out.toUri().toString();
        for (int i = 0; i < options.length; i++) {
            args[5 + i] = options[i].toString();
        }
        StringWriter err = new StringWriter();
        int exit =
                StreamnormCli.execute(
                        args, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertThat(exit).as("stderr: %s", err).isZero();
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }
}
