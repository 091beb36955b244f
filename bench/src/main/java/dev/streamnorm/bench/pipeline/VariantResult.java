package dev.streamnorm.bench.pipeline;

import java.util.Locale;

/** The figures of one variant in one repetition. */
final class VariantResult {
    final String variant;
    final double produceRate;
    OutputFollower follower;
    double total;
    double drain;
    double sustained;
    double firstVisible;
    double drainSeconds;
    double cpuMicrosPerRecord;
    double sustainedCpuMicrosPerRecord;
    // The same without the JIT's compilation time.
    double sustainedCpuNoJitMicrosPerRecord;
    // The same without the in-process broker's threads and the output follower's thread: the
    // pipeline's own CPU (its threads, its Kafka clients, GC and JIT).
    double sustainedPipelineCpuMicrosPerRecord;
    double sustainedBrokerCpuMicrosPerRecord;
    int threadsBefore;
    // Broker requests per 1,000 backlog records (every client of the broker: pipeline, follower).
    double producePer1000;
    double fetchPer1000;
    double[] latencyAll = {Double.NaN, Double.NaN, 0};
    double[] latencyCloser = {Double.NaN, Double.NaN, 0};

    VariantResult(String variant, double produceRate) {
        this.variant = variant;
        this.produceRate = produceRate;
    }

    /**
     * Throughput of the backlog phase. total: N / (last output visible − pipeline start), start-up
     * included. drain: from the first output visible to the last. sustained: between the first
     * observations with 10% and with 90% of N visible (no start-up, no end effect); the process CPU
     * per record between the same two observations likewise, also without the JIT's compilation
     * time (a start-up cost that long runs pay once).
     */
    void throughput(long n, long start) {
        long first = follower.timeOfCount(1);
        long firstCount = follower.countAtLeast(1);
        long last = follower.timeOfCount(n);
        total = n / ((last - start) / 1e9);
        drain = (n - firstCount) / ((last - first) / 1e9);
        drainSeconds = (last - first) / 1e9;
        firstVisible = (first - start) / 1e9;
        long a = follower.timeOfCount(n / 10);
        long b = follower.timeOfCount(n * 9 / 10);
        long ca = follower.countAtLeast(n / 10);
        long cb = follower.countAtLeast(n * 9 / 10);
        sustained = b > a ? (cb - ca) / ((b - a) / 1e9) : Double.NaN;
        long na = n / 10;
        long nb = n * 9 / 10;
        long cpu = follower.cpuAtCount(nb) - follower.cpuAtCount(na);
        long jit = follower.jitAtCount(nb) - follower.jitAtCount(na);
        sustainedCpuMicrosPerRecord = cb > ca ? cpu / 1e3 / (cb - ca) : Double.NaN;
        sustainedCpuNoJitMicrosPerRecord = cb > ca ? (cpu - jit) / 1e3 / (cb - ca) : Double.NaN;
        long broker = follower.brokerCpuAtCount(nb) - follower.brokerCpuAtCount(na);
        long own = follower.ownCpuAtCount(nb) - follower.ownCpuAtCount(na);
        sustainedPipelineCpuMicrosPerRecord =
                cb > ca ? (cpu - broker - own) / 1e3 / (cb - ca) : Double.NaN;
        sustainedBrokerCpuMicrosPerRecord = cb > ca ? broker / 1e3 / (cb - ca) : Double.NaN;
    }

    void latency() {
        latencyAll = follower.latency();
        latencyCloser = follower.closerLatency();
    }

    String describe(boolean withLatency) {
        String latency =
                String.format(
                        Locale.ROOT,
                        " | latency ms: all p50 %5.0f p99 %5.0f (n=%,d), batch-closing p50 %4.0f"
                                + " p99 %4.0f (n=%,d)",
                        latencyAll[0],
                        latencyAll[1],
                        (long) latencyAll[2],
                        latencyCloser[0],
                        latencyCloser[1],
                        (long) latencyCloser[2]);
        return String.format(
                Locale.ROOT,
                "%-9s sustained %,8.0f  drain %,8.0f (%5.1f s)  total %,8.0f records/s, first"
                        + " output after %4.1f s, process CPU %5.1f µs/record (sustained %5.1f, without JIT %5.1f, pipeline"
                        + " only %5.1f, broker %4.1f), broker requests per 1,000 records: produce %.1f, fetch %.1f%s"
                        + " [backlog"
                        + " produced at %,.0f/s; %d threads before start]",
                variant,
                sustained,
                drain,
                drainSeconds,
                total,
                firstVisible,
                cpuMicrosPerRecord,
                sustainedCpuMicrosPerRecord,
                sustainedCpuNoJitMicrosPerRecord,
                sustainedPipelineCpuMicrosPerRecord,
                sustainedBrokerCpuMicrosPerRecord,
                producePer1000,
                fetchPer1000,
                withLatency ? latency : "",
                produceRate,
                threadsBefore);
    }
}
