package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamnorm.jobs.cli.ExitCodes;
import dev.streamnorm.jobs.cli.StreamnormCli;
import dev.streamnorm.jobs.codec.RecordLimits;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile lines, as a new user might feed them, through {@code streamnorm run} file → file: every
 * line is an output or a dead letter with the expected code, exactly once, and nothing is lost;
 * malformed stats files end the run before it starts with one line and exit code 2.
 */
class HostileInputITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = KafkaBrokerExtension.flink();

    @TempDir Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return StreamnormCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** A line of the input and what must become of it: an output, or a dead letter's code. */
    private static final class Line {
        final String kind;
        final byte[] bytes;
        @Nullable final String code;

        Line(String kind, byte[] bytes, @Nullable String code) {
            this.kind = kind;
            this.bytes = bytes;
            this.code = code;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String record(int id, String fields) {
        return "{\"id\": " + id + ", " + fields + "}";
    }

    private static List<Line> hostileLines() {
        List<Line> lines = new ArrayList<>();
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String digits = "7".repeat(5000);
        lines.add(
                new Line(
                        "5000-deep nesting",
                        utf8(record(1, "\"deep\": " + deep + ", \"values\": [1, 2, 3]")),
                        "malformed-json"));
        lines.add(
                new Line(
                        "5000-digit number",
                        utf8(record(2, "\"values\": [" + digits + ", 2, 3]")),
                        "malformed-json"));
        lines.add(
                new Line(
                        "1 MB key",
                        utf8(
                                record(
                                        3,
                                        "\"key\": \""
                                                + "k".repeat(1_000_000)
                                                + "\", \"values\": [1, 2, 3]")),
                        null));
        lines.add(
                new Line(
                        "1 MB field name",
                        utf8(
                                record(
                                        4,
                                        "\""
                                                + "n".repeat(1_000_000)
                                                + "\": 1, \"values\": [1, 2, 3]")),
                        "malformed-json"));
        lines.add(
                new Line(
                        "10 million values",
                        utf8(record(5, "\"values\": [" + "0,".repeat(10_000_000) + "0]")),
                        "too-large"));
        ByteArrayOutputStream invalid = new ByteArrayOutputStream();
        invalid.writeBytes(utf8(record(6, "\"note\": \"")));
        invalid.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3});
        invalid.writeBytes(utf8("\", \"values\": [1, 2, 3]}"));
        lines.add(new Line("invalid UTF-8", invalid.toByteArray(), "malformed-json"));
        lines.add(
                new Line(
                        "duplicate field",
                        utf8(record(7, "\"values\": [1, 2, 3], \"values\": [4, 5, 6]")),
                        "malformed-json"));
        lines.add(
                new Line("NaN literal", utf8(record(8, "\"values\": [1, NaN, 3]")), "non-finite"));
        lines.add(
                new Line(
                        "Infinity literal",
                        utf8(record(9, "\"values\": [-Infinity, 2, 3]")),
                        "non-finite"));
        lines.add(new Line("1e400", utf8(record(10, "\"values\": [1, 2, 1e400]")), "non-finite"));
        lines.add(new Line("top-level array", utf8("[1, 2, 3]"), "malformed-json"));
        lines.add(
                new Line(
                        "truncated JSON",
                        utf8("{\"id\": 12, \"values\": [1, 2"),
                        "malformed-json"));
        lines.add(new Line("BOM", utf8("\uFEFF" + record(13, "\"values\": [1, 2, 3]")), null));
        lines.add(
                new Line(
                        "control character",
                        utf8(record(14, "\"note\": \"a\u0001b\", \"values\": [1, 2, 3]")),
                        "malformed-json"));
        lines.add(
                new Line(
                        "values as a string",
                        utf8(record(15, "\"values\": \"1, 2, 3\"")),
                        "not-a-number"));
        lines.add(
                new Line(
                        "ts as a string",
                        utf8(record(16, "\"ts\": \"2024-11-22\", \"values\": [1, 2, 3]")),
                        "bad-field"));
        lines.add(
                new Line("no values", utf8(record(17, "\"value\": [1, 2, 3]")), "missing-values"));
        lines.add(new Line("wrong length", utf8(record(18, "\"values\": [1, 2]")), "wrong-length"));
        lines.add(
                new Line(
                        "nested values",
                        utf8(record(19, "\"values\": [[1], 2, 3]")),
                        "not-a-number"));
        lines.add(
                new Line(
                        "two records on a line",
                        utf8(
                                record(20, "\"values\": [1, 2, 3]")
                                        + " "
                                        + record(21, "\"values\": [1, 2, 3]")),
                        "malformed-json"));
        lines.add(
                new Line("CRLF line end", utf8(record(22, "\"values\": [3, 4, 0]") + "\r"), null));
        lines.add(new Line("null", utf8("null"), "malformed-json"));
        lines.add(
                new Line(
                        "key as a number",
                        utf8(record(24, "\"key\": 7, \"values\": [1, 2, 3]")),
                        "bad-field"));
        return lines;
    }

    @Test
    void everyHostileLineIsAnOutputOrADeadLetterExactlyOnce() throws Exception {
        List<Line> hostile = hostileLines();
        // Clean lines (ids from 1000) between the hostile ones, and an empty line, which is no
        // record.
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) {
            lines.add(
                    new Line(
                            "clean",
                            utf8(record(1000 + i, "\"values\": [" + i + ", 1, -2]")),
                            null));
            lines.add(hostile.get(i));
        }
        lines.add(new Line("empty line", new byte[0], null));
        lines.add(new Line("clean", utf8(record(2000, "\"values\": [0.5, 0.5, 0.5]")), null));
        Path in = tmp.resolve("hostile.jsonl");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (Line line : lines) {
            file.writeBytes(line.bytes);
            file.write('\n');
        }
        Files.write(in, file.toByteArray());
        Path output = tmp.resolve("out.jsonl");
        Path deadLetters = tmp.resolve("dead.jsonl");

        int exit =
                run(
                        "run",
                        "--input",
                        in.toUri().toString(),
                        "--output",
                        output.toUri().toString(),
                        "--dead-letter",
                        deadLetters.toUri().toString(),
                        "--norm",
                        "l2",
                        "--shape",
                        "3",
                        "--parallelism",
                        "2");

        assertThat(exit).as("stderr: %s", err).isEqualTo(ExitCodes.OK);
        Map<Long, Integer> lineOfId = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.code == null && line.bytes.length > 0) {
                JsonNode parsed = Messages.parse(withoutBom(line.bytes));
                lineOfId.put(parsed.get("id").asLong(), i + 1);
            }
        }
        Map<Integer, String> seen = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String text : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            assertThat(text).as("an output line").doesNotStartWith("\uFEFF");
            JsonNode record = Messages.parse(text);
            Integer lineNumber = lineOfId.get(record.get("id").asLong());
            if (lineNumber == null || seen.put(lineNumber, "output") != null) {
                problems.add("an output that is not one clean line once: " + abbreviate(text));
                continue;
            }
            double[] values = Messages.values(record);
            double norm =
                    Math.sqrt(
                            values[0] * values[0] + values[1] * values[1] + values[2] * values[2]);
            if (Math.abs(norm - 1) > 1e-12) {
                problems.add("line " + lineNumber + ": output norm " + norm);
            }
        }
        for (String text : Files.readAllLines(deadLetters, StandardCharsets.UTF_8)) {
            JsonNode letter = Messages.parse(text);
            assertThat(Messages.fieldNames(letter))
                    .containsExactly("error", "message", "input", "source");
            int lineNumber = letter.get("source").get("line").asInt();
            Line line = lines.get(lineNumber - 1);
            if (seen.put(lineNumber, letter.get("error").asText()) != null) {
                problems.add("line " + lineNumber + " (" + line.kind + ") came out twice");
            }
            String input = new String(line.bytes, StandardCharsets.UTF_8);
            String expectedInput =
                    line.code != null && line.code.equals("too-large")
                            ? new String(RecordLimits.prefix(line.bytes), StandardCharsets.UTF_8)
                            : input;
            if (!letter.get("input").asText().equals(expectedInput)) {
                problems.add(
                        "line "
                                + lineNumber
                                + " ("
                                + line.kind
                                + "): input "
                                + abbreviate(letter.get("input").asText()));
            }
            if (!letter.get("source").get("file").asText().equals(in.toString())) {
                problems.add("line " + lineNumber + ": source " + letter.get("source"));
            }
            if (letter.get("message").asText().isBlank()) {
                problems.add("line " + lineNumber + ": no message");
            }
        }
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            String expected =
                    line.bytes.length == 0 ? null : line.code == null ? "output" : line.code;
            String actual = seen.get(i + 1);
            if (expected == null ? actual != null : !expected.equals(actual)) {
                problems.add(
                        "line "
                                + (i + 1)
                                + " ("
                                + line.kind
                                + "): expected "
                                + expected
                                + ", got "
                                + actual);
            }
        }
        Messages.assertNoProblems("hostile lines", problems);
        assertThat(hostile).hasSizeGreaterThanOrEqualTo(13);
    }

    private static byte[] withoutBom(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        return utf8(text.startsWith("\uFEFF") ? text.substring(1) : text);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200
                ? text
                : text.substring(0, 200) + "... (" + text.length() + " chars)";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not JSON | {\"format\": | not valid JSON: Unexpected end-of-input",
                "5000-deep nesting | DEEP | not valid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000",
                "an array | [1, 2] | a stats file must be a JSON object",
                "NaN variance | {\"format\": \"streamnorm.stats/v1\", \"keys\": {\"*\": {\"running_mean\": [1], \"running_var\": [\"NaN\"]}}} | \"keys.*.running_var[0]\" must be a number",
                "a key with a line break | {\"format\": \"streamnorm.stats/v1\", \"keys\": {\"a\\nb\": {\"running_mean\": [1], \"running_var\": [-1]}}} | keys.a\\nb: running mean and variance of channel 0 must be finite and the variance >= 0",
                "no keys | {\"format\": \"streamnorm.stats/v1\", \"keys\": {}} | \"keys\" must be a non-empty object",
                "a 5000-digit number | {\"running_mean\": [DIGITS], \"running_var\": [1]} | not valid JSON: Number value length (5000) exceeds the maximum allowed (1000",
            })
    void aMalformedStatsFileIsOneLineAndExitCode2(String kind, String content, String message)
            throws Exception {
        Path stats = tmp.resolve("stats.json");
        Files.writeString(
                stats,
                content.replace("DEEP", "[".repeat(5000) + "]".repeat(5000))
                        .replace("DIGITS", "1".repeat(5000)));
        Path in = Files.writeString(tmp.resolve("in.jsonl"), "{\"values\": [1]}\n");

        int exit =
                run(
                        "run",
                        "--input",
                        in.toString(),
                        "--output",
                        "stdout",
                        "--mode",
                        "eval",
                        "--stats",
                        stats.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().trim().lines()).as("stderr").hasSize(1);
        assertThat(err.toString())
                .startsWith("streamnorm run: " + stats + ": ")
                .contains(message)
                .doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }
}
