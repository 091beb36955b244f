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
 * lines are skipped. A line over {@code maxRecordBytes} is read only up to its first {@code
 * maxRecordBytes + 1} bytes, the rest skipped, so that a line of any length (gigabytes without a
 * newline) takes bounded memory and still becomes a record: one the decoder finds {@code
 * too-large}. Not splittable, so after a restore Flink re-reads the file and skips the records
 * already emitted, and line numbers stay right.
 */
final class JsonLinesFormat extends SimpleStreamFormat<RawRecord> {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final int maxRecordBytes;

    JsonLinesFormat(String path, int maxRecordBytes) {
        this.path = path;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public Reader<RawRecord> createReader(Configuration config, FSDataInputStream stream) {
        return new LineReader(stream, path, maxRecordBytes);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }

    /** The reader of a file's lines; package-private for tests. */
    static final class LineReader implements Reader<RawRecord> {
        private final InputStream in;
        private final String path;
        private final long keepBytes;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        private final byte[] chunk = new byte[64 * 1024];
        private int chunkPos;
        private int chunkLen;
        private long lineNumber;

        LineReader(InputStream in, String path, int maxRecordBytes) {
            this.in = in;
            this.path = path;
            this.keepBytes = maxRecordBytes + 1L;
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

        /**
         * Reads the next line into {@link #line} without its terminator, at most {@link #keepBytes}
         * of it; false at the end.
         */
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
                long room = keepBytes - line.size();
                if (room > 0) {
                    line.write(chunk, start, (int) Math.min(room, end - start));
                }
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
