package dev.streamnorm.jobs.io;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The two ways a user names a local file: a plain path ({@code stats.json}, {@code /tmp/x.json}) or
 * a {@code file:} URI ({@code file:///tmp/x.json}). Every option that names a file takes both and
 * means the same file; any other scheme is refused, so that {@code file:///a} never becomes a
 * relative directory {@code ./file:/a}.
 */
public final class LocalPath {
    private static final Pattern OTHER_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    private LocalPath() {}

    /**
     * Parses {@code text} as a plain path or a {@code file:} URI.
     *
     * @throws IllegalArgumentException naming {@code text} and the accepted forms
     */
    public static Path parse(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("an empty file name");
        }
        if (trimmed.toLowerCase(Locale.ROOT).startsWith("file:")) {
            try {
                URI uri = new URI(trimmed);
                if (uri.getAuthority() != null && !uri.getAuthority().equals("localhost")) {
                    throw notLocal(text);
                }
                if (uri.getPath() == null || !uri.getPath().startsWith("/")) {
                    throw notLocal(text);
                }
                return Paths.get(uri.getPath());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "'" + text + "' is not a valid file URI: " + e.getReason());
            }
        }
        if (OTHER_SCHEME.matcher(trimmed).matches()) {
            throw notLocal(text);
        }
        return Paths.get(trimmed);
    }

    /**
     * A location for Flink's file systems (checkpoints, savepoints): a URI with a scheme ({@code
     * s3://…}, {@code hdfs://…}, {@code file:///…}) as it is, a plain path as the absolute {@code
     * file:} URI of that path, so that a relative path means the same on every process.
     */
    public static String flinkUri(String text) {
        String trimmed = text.trim();
        if (OTHER_SCHEME.matcher(trimmed).matches()) {
            return trimmed;
        }
        return parse(trimmed).toAbsolutePath().normalize().toUri().toString();
    }

    /** Whether {@code text} names a local file (a plain path or a {@code file:} URI). */
    public static boolean isLocal(String text) {
        String trimmed = text.trim();
        return trimmed.toLowerCase(Locale.ROOT).startsWith("file:")
                || !OTHER_SCHEME.matcher(trimmed).matches();
    }

    private static IllegalArgumentException notLocal(String text) {
        return new IllegalArgumentException(
                "'"
                        + text
                        + "' is not a local file: use a path (dir/file.json) or a file:///absolute/"
                        + "path URI");
    }
}
