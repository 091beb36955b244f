package dev.streamnorm.operators.compat;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster of the compatibility tests. */
final class CompatMiniCluster {
    private CompatMiniCluster() {}

    /** One TaskManager with two slots: jobs up to parallelism 2, like the savepoints' jobs. */
    static MiniClusterExtension twoSlots() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }
}
