package dev.streamnorm.jobs.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a JSON-lines file as {@link RawRecord}s that remember their 1-based line number; blank
 * lines are skipped. Not splittable, so after a restore Flink re-reads the file and skips the
 * records already emitted, and line numbers stay right.
 */
final class JsonLinesFormat extends SimpleStreamFormat<RawRecord> {
    private static final long serialVersionUID = 1L;

    private final String path;

    JsonLinesFormat(String path) {
        this.path = path;
    }

    @Override
    public Reader<RawRecord> createReader(Configuration config, FSDataInputStream stream) {
        return new LineReader(stream, path);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }

    private static final class LineReader implements Reader<RawRecord> {
        private final InputStream in;
        private final String path;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        private final byte[] chunk = new byte[64 * 1024];
        private int chunkPos;
        private int chunkLen;
        private long lineNumber;

        LineReader(InputStream in, String path) {
            this.in = in;
            this.path = path;
        }

        @Nullable
        @Override
        public RawRecord read() throws IOException {
            while (true) {
                if (!readLine()) {
                    return null;
                }
                lineNumber++;
                byte[] bytes = line.toByteArray();
                if (!isBlank(bytes)) {
                    return RawRecord.fromFile(bytes, path, lineNumber);
                }
            }
        }

        /** Reads the next line into {@link #line} without its terminator; false at the end. */
        private boolean readLine() throws IOException {
            line.reset();
            boolean any = false;
            while (true) {
                if (chunkPos == chunkLen) {
                    chunkLen = in.read(chunk);
                    chunkPos = 0;
                    if (chunkLen <= 0) {
                        chunkLen = 0;
                        return any;
                    }
                }
                any = true;
                int start = chunkPos;
                while (chunkPos < chunkLen && chunk[chunkPos] != '\n') {
                    chunkPos++;
                }
                int end = chunkPos;
                if (end > start && chunk[end - 1] == '\r' && end < chunkLen) {
                    end--;
                }
                line.write(chunk, start, end - start);
                if (chunkPos < chunkLen) {
                    chunkPos++;
                    return true;
                }
            }
        }

        private static boolean isBlank(byte[] bytes) {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
