package dev.streamnorm.state.typeutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Produces the committed golden files of serializer format v1 from {@link GoldenBytesTest}'s
 * hard-coded values. Not part of the test suite (the name does not end in {@code Test}); it writes
 * only when run explicitly with the system property set:
 *
 * <pre>{@code
 * mvn -pl state test -Dtest=GoldenFilesWriter -Dstreamnorm.golden.write=true
 * }</pre>
 *
 * <p>Golden files of a released format must never be rewritten: a new format gets a new directory
 * ({@code v2/}) next to the old one, and the old files stay under test.
 */
class GoldenFilesWriter {
    static final String WRITE_PROPERTY = "streamnorm.golden.write";
    static final String RESOURCE_DIRECTORY = "serializer-golden/v1";
    static final String RUNNING_STATS = "running-stats.bin";
    static final String CHANNEL_MOMENTS = "channel-moments.bin";
    static final String EXPONENTIAL_MOMENTS = "exponential-moments.bin";

    /** Writes into {@code src/test/resources} of this module, only when explicitly asked to. */
    @Test
    void writeGoldenFiles() throws IOException {
        assertThat(Boolean.getBoolean(WRITE_PROPERTY))
                .as("run with -D%s=true to (re)write the golden files", WRITE_PROPERTY)
                .isTrue();
        Path directory =
                moduleDirectory().resolve("src/test/resources").resolve(RESOURCE_DIRECTORY);
        write(directory);
        System.out.println("wrote golden files to " + directory);
    }

    /** Writes one file per type into {@code directory}. */
    static void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.write(
                directory.resolve(RUNNING_STATS),
                bytes(RunningStatsSerializer.INSTANCE, GoldenBytesTest.runningStats()));
        Files.write(
                directory.resolve(CHANNEL_MOMENTS),
                bytes(ChannelMomentsSerializer.INSTANCE, GoldenBytesTest.channelMoments()));
        Files.write(
                directory.resolve(EXPONENTIAL_MOMENTS),
                bytes(ExponentialMomentsSerializer.INSTANCE, GoldenBytesTest.exponentialMoments()));
    }

    static <T> byte[] bytes(VersionedSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    /** The state module's directory: surefire's {@code basedir}, else the working directory. */
    private static Path moduleDirectory() {
        Path base = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")));
        return Files.isDirectory(base.resolve("state/src")) ? base.resolve("state") : base;
    }
}
