package dev.streamnorm.jobs.pipeline;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The network settings of a Flink that runs inside the streamnorm process (a local run, the demo):
 * its REST API and Web UI, its BLOB server and its RPC listen on 127.0.0.1 only, so no other
 * machine can reach them (Flink's defaults bind the REST endpoint and the BLOB server to every
 * interface). On a cluster, Flink's own configuration decides instead.
 */
public final class LocalFlink {
    public static final String LOOPBACK = "127.0.0.1";

    private LocalFlink() {}

    /** Binds every server of an in-process Flink in {@code conf} to the loopback address. */
    public static Configuration bindToLoopback(Configuration conf) {
        conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        conf.set(RestOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        return conf;
    }

    /**
     * The environment for {@code conf}: the cluster's under {@code flink run}, else a Flink in this
     * process whose servers listen on the loopback address only.
     */
    public static StreamExecutionEnvironment environment(Configuration conf) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (env instanceof LocalStreamEnvironment) {
            return StreamExecutionEnvironment.createLocalEnvironment(bindToLoopback(conf));
        }
        return env;
    }
}
