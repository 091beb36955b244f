package dev.streamnorm.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File lines over {@code --max-record-bytes} take bounded memory and keep the line count right. */
class JsonLinesFormatTest {
    private static final int LIMIT = 1 << 20;

    @TempDir Path tmp;

    @Test
    void aLineOfThreeGibibytesIsCutAfterTheLimitAndTheNextLinesFollow() throws Exception {
        // A sparse file: line 2 is 3 GiB of zero bytes (no newline), on no disk space.
        Path file = tmp.resolve("huge.jsonl");
        long hugeLine = 3L << 30;
        byte[] first = "{\"values\": [1]}\n".getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.write(first);
            out.seek(first.length + hugeLine);
            out.write("\n\n{\"values\": [3]}\r\n".getBytes(StandardCharsets.UTF_8));
        }

        try (InputStream in = Files.newInputStream(file)) {
            JsonLinesFormat.LineReader reader =
                    new JsonLinesFormat.LineReader(in, file.toString(), LIMIT);
            RawRecord one = reader.read();
            assertThat(new String(one.payload, StandardCharsets.UTF_8))
                    .isEqualTo("{\"values\": [1]}");
            assertThat(one.position).isEqualTo(1);

            RawRecord two = reader.read();
            assertThat(two.payload).hasSize(LIMIT + 1);
            assertThat(two.position).isEqualTo(2);

            RawRecord four = reader.read();
            assertThat(new String(four.payload, StandardCharsets.UTF_8))
                    .isEqualTo("{\"values\": [3]}");
            assertThat(four.position).as("line 3 is blank").isEqualTo(4);
            assertThat(reader.read()).isNull();
        }
    }

    @Test
    void aLineOfExactlyTheLimitIsReadWhole() throws Exception {
        Path file = tmp.resolve("limit.jsonl");
        Files.writeString(file, "x".repeat(10) + "\n" + "y".repeat(11) + "\n");
        try (InputStream in = Files.newInputStream(file)) {
            JsonLinesFormat.LineReader reader = new JsonLinesFormat.LineReader(in, "f", 10);
            assertThat(reader.read().payload).hasSize(10);
            assertThat(reader.read().payload).hasSize(11).as("limit + 1: too large");
            assertThat(reader.read()).isNull();
        }
    }
}
