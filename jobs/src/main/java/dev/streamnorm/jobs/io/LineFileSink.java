package dev.streamnorm.jobs.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes messages as lines of one local file, for bounded runs on one machine: run it with
 * parallelism 1. The file is replaced when the job starts; after a failure and restart the file is
 * rewritten from the restored position on, so this sink is meant for runs without restarts.
 */
public final class LineFileSink implements Sink<byte[]> {
    private static final long serialVersionUID = 1L;

    private final String path;

    public LineFileSink(Path path) {
        this.path = path.toString();
    }

    @Override
    public SinkWriter<byte[]> createWriter(WriterInitContext context) throws IOException {
        Path file = Paths.get(path);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        return new Writer(Files.newOutputStream(file));
    }

    /**
     * Buffers lines into the file. After a failed write (a full disk) the buffer is dropped on
     * close instead of written again: a close that throws while Flink cleans up a failed task is
     * fatal to the whole TaskManager.
     */
    private static final class Writer implements SinkWriter<byte[]> {
        private final OutputStream file;
        private final OutputStream out;
        private boolean failed;

        Writer(OutputStream file) {
            this.file = file;
            this.out = new BufferedOutputStream(file, 1 << 16);
        }

        @Override
        public void write(byte[] line, Context context) throws IOException {
            try {
                out.write(line);
                out.write('\n');
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (failed) {
                file.close();
            } else {
                out.close();
            }
        }
    }
}
