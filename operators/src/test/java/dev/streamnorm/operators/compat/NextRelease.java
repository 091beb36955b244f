package dev.streamnorm.operators.compat;

import dev.streamnorm.operators.compat.nextrelease.RunningStatsV2;
import dev.streamnorm.operators.compat.nextrelease.RunningStatsV2Serializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassWriter;
import org.apache.flink.shaded.asm9.org.objectweb.asm.commons.ClassRemapper;
import org.apache.flink.shaded.asm9.org.objectweb.asm.commons.SimpleRemapper;

/**
 * The state types of a next release, for evolution tests: the classes of package {@code
 * compat.nextrelease}, with {@link RunningStatsV2} renamed to {@code
 * dev.streamnorm.state.RunningStats} and {@link RunningStatsV2Serializer} (and its snapshot) to
 * {@code dev.streamnorm.state.typeutils.RunningStatsSerializer}, written as class files into a
 * directory that a job puts on its classpath.
 *
 * <p>Flink's user-code class loader is child-first, so a job with that classpath sees the next
 * release under the production names while everything else comes from the current build. That is
 * what restoring an old savepoint into a new release does: the savepoint names the serializer
 * snapshot class it was written with, and the new release's class of that name decides.
 */
final class NextRelease {
    private static final String PACKAGE = "dev/streamnorm/operators/compat/nextrelease/";
    private static final Map<String, String> RENAMED =
            Map.of(
                    internalName(RunningStatsV2.class), "dev/streamnorm/state/RunningStats",
                    internalName(RunningStatsV2Serializer.class),
                            "dev/streamnorm/state/typeutils/RunningStatsSerializer",
                    internalName(RunningStatsV2Serializer.Snapshot.class),
                            "dev/streamnorm/state/typeutils/RunningStatsSerializer$Snapshot");

    private NextRelease() {}

    /** Writes the next release's classes into {@code dir}. */
    static void write(Path dir) throws IOException {
        SimpleRemapper remapper = new SimpleRemapper(RENAMED);
        for (Path classFile : classFiles()) {
            ClassReader reader;
            try (InputStream in = Files.newInputStream(classFile)) {
                reader = new ClassReader(in);
            }
            ClassWriter writer = new ClassWriter(0);
            reader.accept(new ClassRemapper(writer, remapper), 0);
            String name = RENAMED.getOrDefault(reader.getClassName(), reader.getClassName());
            Path target = dir.resolve(name + ".class");
            Files.createDirectories(target.getParent());
            Files.write(target, writer.toByteArray());
        }
    }

    /** A job configuration whose user code sees the next release in {@code dir}. */
    static Configuration classpath(Configuration conf, Path dir) {
        try {
            conf.set(PipelineOptions.CLASSPATHS, List.of(dir.toUri().toURL().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return conf;
    }

    private static List<Path> classFiles() throws IOException {
        URL url = NextRelease.class.getResource("/" + PACKAGE);
        try (Stream<Path> files = Files.list(Paths.get(url.toURI()))) {
            return files.filter(f -> f.toString().endsWith(".class")).toList();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static String internalName(Class<?> type) {
        return type.getName().replace('.', '/');
    }
}
