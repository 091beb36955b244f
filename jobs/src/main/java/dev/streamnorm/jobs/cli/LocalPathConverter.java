package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.LocalPath;
import java.nio.file.Path;
import picocli.CommandLine;

/** Converts every {@link Path} option and parameter: a plain path or a {@code file:} URI. */
final class LocalPathConverter implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        try {
            return LocalPath.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
