package dev.streamnorm.bench.pipeline;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * How many requests of one kind the in-process broker has handled, from its own request metrics
 * (Kafka registers them as MBeans). A broker's CPU goes mostly to produce and fetch requests, so
 * their count per record tells how well a client batches.
 */
final class BrokerRequests {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private BrokerRequests() {}

    /** Requests of {@code type} (for example {@code Produce}, {@code Fetch}) handled so far. */
    static long count(String type) {
        try {
            ObjectName pattern =
                    new ObjectName(
                            "kafka.network:type=RequestMetrics,name=RequestsPerSec,request="
                                    + type
                                    + ",*");
            long total = 0;
            for (ObjectName name : SERVER.queryNames(pattern, null)) {
                total += ((Number) SERVER.getAttribute(name, "Count")).longValue();
            }
            return total;
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the broker's request metrics", e);
        }
    }
}
