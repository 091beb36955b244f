package dev.streamnorm.jobs.cli;

import dev.streamnorm.operators.Scope;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Whose statistics a record updates (a key's or one global set) and how long a key's are kept. */
final class StatsScopeOptions {
    @Option(
            names = "--state-ttl",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Forget keys not seen for this long")
    Duration stateTtl;

    @Option(
            names = "--scope",
            paramLabel = "SCOPE",
            defaultValue = "key",
            description =
                    "key: statistics per record key; global: one set shared by all records,"
                            + " merged across subtasks (default: ${DEFAULT-VALUE})")
    String scope;

    Scope scope() {
        return EnumOption.valueOf(Scope.class, scope, "--scope");
    }
}
