package dev.streamnorm.operators.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.compat.nextrelease.RunningStatsV2;
import dev.streamnorm.operators.compat.nextrelease.RunningStatsV2Reader;
import dev.streamnorm.operators.compat.nextrelease.RunningStatsV2Writer;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The running stats of the committed v1 savepoint restore into a next release whose {@code
 * RunningStats} has a new field ({@link RunningStatsV2}, format v2): the old values stay bit for
 * bit and the new field takes its default; state written in v2 reads back in v2; and the current
 * build refuses v2 state (a newer format) instead of misreading it.
 *
 * <p>The next release's classes carry the production class names in the jobs' user-code class
 * loader ({@link NextRelease}), so Flink resolves compatibility exactly as in a real upgrade: the
 * savepoint's serializer snapshot (format v1) is read by the next release's snapshot class, which
 * reports compatible after migration; HashMap keeps the values as the restored serializer read
 * them, RocksDB rewrites every value in v2 when the state is registered.
 */
class RunningStatsEvolutionITCase {
    private static final OperatorIdentifier OPERATOR =
            OperatorIdentifier.forUid(Normalization.OPERATOR_UID);
    private static final long UPDATED_AT = 1_800_000_000_000L;

    @RegisterExtension static final MiniClusterExtension FLINK = CompatMiniCluster.twoSlots();

    @TempDir static Path nextRelease;

    @TempDir Path written;

    @BeforeAll
    static void buildNextRelease() throws Exception {
        NextRelease.write(nextRelease);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void v1ValuesRestoreIntoTheV2TypeWithTheNewFieldDefaulted(Backend backend) throws Exception {
        Map<String, Tuple5<String, double[], double[], Long, Long>> read =
                readV2(V1Savepoints.savepoint(Mode.TRAIN, backend), backend);

        assertThat(runningStats(read)).isEqualTo(expectedStats());
        assertThat(read.values())
                .allSatisfy(v -> assertThat(v.f4).isEqualTo(RunningStatsV2.UNKNOWN_UPDATE_TIME));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void v2StateWrittenFromV1ReadsBackInV2(Backend backend) throws Exception {
        Path v1 = V1Savepoints.savepoint(Mode.TRAIN, backend);
        Path v2 = written.resolve("v2");
        // The savepoint writer ships Flink's own checkpoint metadata as generic (Kryo) types.
        StreamExecutionEnvironment env = nextReleaseEnv(new Configuration());
        DataStream<Tuple5<String, double[], double[], Long, Long>> touched =
                readV2(env, v1, backend)
                        .map(v -> Tuple5.of(v.f0, v.f1, v.f2, v.f3, UPDATED_AT))
                        .returns(RunningStatsV2Reader.TYPE);
        StateBootstrapTransformation<Tuple5<String, double[], double[], Long, Long>> rewrite =
                OperatorTransformation.bootstrapWith(touched)
                        .keyBy(v -> v.f0, Types.STRING)
                        .transform(new RunningStatsV2Writer());
        SavepointWriter.fromExistingSavepoint(env, v1.toUri().toString(), backend.create())
                .removeOperator(OPERATOR)
                .withOperator(OPERATOR, rewrite)
                .write(v2.toUri().toString());
        env.execute("rewrite running stats in v2");

        Map<String, Tuple5<String, double[], double[], Long, Long>> read = readV2(v2, backend);
        assertThat(runningStats(read)).isEqualTo(expectedStats());
        assertThat(read.values()).allSatisfy(v -> assertThat(v.f4).isEqualTo(UPDATED_AT));

        // HashMap reads every value when it restores; RocksDB compares the snapshots first.
        assertThatThrownBy(() -> readWithCurrentBuild(v2, backend))
                .hasStackTraceContaining(
                        backend == Backend.HASHMAP
                                ? "Cannot read RunningStats: expected format version 1..1, actual 2"
                                : "must not be incompatible with the old state serializer");
    }

    /** Each key's running stats in {@code savepoint}, read by the next release. */
    private static Map<String, Tuple5<String, double[], double[], Long, Long>> readV2(
            Path savepoint, Backend backend) throws Exception {
        Map<String, Tuple5<String, double[], double[], Long, Long>> byKey = new TreeMap<>();
        try (CloseableIterator<Tuple5<String, double[], double[], Long, Long>> values =
                readV2(nextReleaseEnv(noGenericTypes()), savepoint, backend)
                        .executeAndCollect("read running stats v2 with " + backend.id())) {
            values.forEachRemaining(v -> byKey.put(v.f0, v));
        }
        return byKey;
    }

    private static DataStream<Tuple5<String, double[], double[], Long, Long>> readV2(
            StreamExecutionEnvironment env, Path savepoint, Backend backend) throws Exception {
        return SavepointReader.read(env, savepoint.toUri().toString(), backend.create())
                .readKeyedState(
                        OPERATOR,
                        new RunningStatsV2Reader(),
                        Types.STRING,
                        RunningStatsV2Reader.TYPE);
    }

    private static Map<String, RunningStats> readWithCurrentBuild(Path savepoint, Backend backend)
            throws Exception {
        return ValueStateReader.read(
                StreamExecutionEnvironment.getExecutionEnvironment(noGenericTypes()),
                savepoint,
                backend,
                Normalization.OPERATOR_UID,
                V1Savepoints.RUNNING_STATS,
                RunningStatsTypeInfoFactory.TYPE_INFO);
    }

    private static StreamExecutionEnvironment nextReleaseEnv(Configuration conf) {
        return StreamExecutionEnvironment.getExecutionEnvironment(
                NextRelease.classpath(conf, nextRelease));
    }

    private static Configuration noGenericTypes() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    /** The v2 values as the current build's running stats (the fields they have in common). */
    private static Map<String, RunningStats> runningStats(
            Map<String, Tuple5<String, double[], double[], Long, Long>> read) {
        Map<String, RunningStats> stats = new TreeMap<>();
        read.forEach((key, v) -> stats.put(key, RunningStats.of(v.f1, v.f2, v.f3)));
        return stats;
    }

    private static Map<String, RunningStats> expectedStats() throws Exception {
        return V1Savepoints.expected(Mode.TRAIN).runningStatsByKey();
    }
}
