package dev.streamnorm.operators.compat;

import dev.streamnorm.operators.Mode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The committed savepoints of state format v1 ({@code src/test/resources/savepoints/v1}, written by
 * {@link SavepointGenerator}) and the names under which the keyed operator keeps its long-lived
 * state: savepoints depend on these names, so the tests spell them out rather than borrow the
 * operator's constants.
 */
final class V1Savepoints {
    /** Running stats per key (train mode; what eval mode restores). */
    static final String RUNNING_STATS = "running-stats";

    /** Exponentially weighted moments per key (online mode). */
    static final String EW_MOMENTS = "ew-moments";

    private V1Savepoints() {}

    /** The directory of the savepoint of a {@code mode} job taken with {@code backend}. */
    static Path savepoint(Mode mode, Backend backend) {
        return resource(mode.id() + "/" + backend.id());
    }

    /** The state a {@code mode} savepoint must hold. */
    static ExpectedState expected(Mode mode) throws IOException {
        return ExpectedState.read(resource(mode.id() + "/expected.json"));
    }

    private static Path resource(String name) {
        URL url = V1Savepoints.class.getResource("/savepoints/v1/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource savepoints/v1/" + name);
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
