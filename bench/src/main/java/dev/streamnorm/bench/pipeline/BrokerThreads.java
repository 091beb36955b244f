package dev.streamnorm.bench.pipeline;

import dev.streamnorm.jobs.demo.EmbeddedKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The in-process broker's threads, told apart from the pipelines' by their thread group: the broker
 * is started from a thread of its own group, and every thread it starts joins that group. Their CPU
 * time is the broker's share of the process, which a production broker spends on its own machines,
 * not on the job's.
 */
final class BrokerThreads {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final ThreadGroup group = new ThreadGroup("in-process-kafka-broker");

    /** Starts the broker from a thread of this group. */
    EmbeddedKafka start() throws Exception {
        AtomicReference<EmbeddedKafka> started = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread starter =
                new Thread(
                        group,
                        () -> {
                            try {
                                started.set(EmbeddedKafka.start());
                            } catch (Throwable t) {
                                failed.set(t);
                            }
                        },
                        "kafka-broker-start");
        starter.start();
        starter.join();
        if (failed.get() != null) {
            throw new IllegalStateException("the in-process broker did not start", failed.get());
        }
        return started.get();
    }

    /** CPU time of the broker's live threads so far, in nanoseconds. */
    long cpuNanos() {
        Thread[] threads = new Thread[group.activeCount() * 2 + 16];
        int n = group.enumerate(threads, true);
        return Arrays.stream(threads, 0, n)
                .mapToLong(t -> Math.max(0, THREADS.getThreadCpuTime(t.getId())))
                .sum();
    }
}
