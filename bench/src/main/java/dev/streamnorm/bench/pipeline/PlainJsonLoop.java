package dev.streamnorm.bench.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.NumberOutput;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The baseline of the file benchmark: one thread reads a JSON-lines file, parses each line with
 * Jackson's streaming parser (fast double parser), keeps per-key batches with {@link PlainTrain}
 * and writes each output line as its input's bytes with the values array replaced (doubles as
 * Jackson's fast writer's shortest text). No Flink, no copies it does not need.
 */
final class PlainJsonLoop {
    private static final JsonFactory JSON =
            JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

    private final PlainTrain batches;
    private double[] values = new double[64];
    private byte[] outLine = new byte[1024];
    private long id;

    PlainJsonLoop(int features, int batchSize) {
        this.batches = new PlainTrain(features, batchSize);
    }

    /** One input line: its bytes and where its values array starts and ends. */
    private static final class Line {
        final byte[] bytes;
        final int start;
        final int end;

        Line(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.start = start;
            this.end = end;
        }
    }

    /** Normalizes {@code in} into {@code out}; returns the number of lines written. */
    long run(Path in, Path out) throws IOException {
        long[] written = {0};
        try (InputStream input = Files.newInputStream(in);
                OutputStream output =
                        new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
            PlainNorm.Emitter emitter =
                    (id, tag, normalized) -> {
                        write((Line) tag, normalized, output);
                        written[0]++;
                    };
            LineSplitter lines = new LineSplitter(input);
            byte[] line;
            while ((line = lines.next()) != null) {
                accept(line, emitter);
            }
            batches.finish(emitter);
        }
        return written[0];
    }

    private void accept(byte[] line, PlainNorm.Emitter emitter) throws IOException {
        String key = "";
        int n = 0;
        int start = -1;
        int end = -1;
        try (JsonParser parser = JSON.createParser(line)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                if (name.equals("key")) {
                    key = parser.getText();
                } else if (name.equals("values")) {
                    start = (int) parser.currentTokenLocation().getByteOffset();
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (n == values.length) {
                            values = Arrays.copyOf(values, 2 * n);
                        }
                        values[n++] = parser.getDoubleValue();
                    }
                    end = (int) parser.currentLocation().getByteOffset();
                } else if (token.isStructStart()) {
                    parser.skipChildren();
                }
            }
        }
        batches.accept(key, id++, values, new Line(line, start, end), emitter);
    }

    /** Builds the output line in {@link #outLine}, then writes it with one call. */
    private void write(Line line, double[] normalized, OutputStream out) {
        int size = 0;
        size = append(line.bytes, 0, line.start, size);
        outLine[size++] = '[';
        for (int i = 0; i < normalized.length; i++) {
            if (i > 0) {
                outLine = ensure(outLine, size + 1);
                outLine[size++] = ',';
            }
            String text = NumberOutput.toString(normalized[i], true);
            outLine = ensure(outLine, size + text.length() + 2);
            for (int c = 0; c < text.length(); c++) {
                outLine[size++] = (byte) text.charAt(c);
            }
        }
        outLine[size++] = ']';
        size = append(line.bytes, line.end, line.bytes.length - line.end, size);
        outLine = ensure(outLine, size + 1);
        outLine[size++] = '\n';
        try {
            out.write(outLine, 0, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int append(byte[] bytes, int from, int count, int size) {
        outLine = ensure(outLine, size + count + 1);
        System.arraycopy(bytes, from, outLine, size, count);
        return size + count;
    }

    private static byte[] ensure(byte[] buffer, int size) {
        return size <= buffer.length
                ? buffer
                : Arrays.copyOf(buffer, Math.max(size, 2 * buffer.length));
    }

    /** Splits a stream into lines (without terminators), reading 64 KiB at a time. */
    private static final class LineSplitter {
        private final InputStream in;
        private final byte[] chunk = new byte[1 << 16];
        private byte[] line = new byte[1024];
        private int pos;
        private int len;

        LineSplitter(InputStream in) {
            this.in = in;
        }

        byte[] next() throws IOException {
            int size = 0;
            while (true) {
                if (pos == len) {
                    len = in.read(chunk);
                    pos = 0;
                    if (len <= 0) {
                        len = 0;
                        return size == 0 ? null : Arrays.copyOf(line, size);
                    }
                }
                int start = pos;
                while (pos < len && chunk[pos] != '\n') {
                    pos++;
                }
                int count = pos - start;
                if (size + count > line.length) {
                    line = Arrays.copyOf(line, Math.max(2 * line.length, size + count));
                }
                System.arraycopy(chunk, start, line, size, count);
                size += count;
                if (pos < len) {
                    pos++;
                    return Arrays.copyOf(line, size);
                }
            }
        }
    }
}
