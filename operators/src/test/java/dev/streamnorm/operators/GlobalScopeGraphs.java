package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
import org.apache.flink.streaming.runtime.partitioner.KeyGroupStreamPartitioner;

/** Assertions on the stream graph of a global-scope job: where records travel, and how. */
final class GlobalScopeGraphs {
    private GlobalScopeGraphs() {}

    /**
     * Asserts the records' path is forward end to end into one normalizing operator, at full
     * parallelism, that merges its statistics through an operator coordinator (no merger node).
     */
    static void assertGlobalGraph(StreamGraph graph) {
        assertThat(hasKeyBy(graph)).as("a keyBy in the global-scope graph").isFalse();
        StreamNode normalize = node(graph, "normalize");
        assertThat(normalize.getParallelism()).isEqualTo(2);
        assertThat(normalize.getOperatorFactory()).isInstanceOf(CoordinatedOperatorFactory.class);
        assertThat(normalize.getInEdges()).hasSize(1);
        assertForwardUpstream(graph, normalize, 0);
        assertThat(graph.getStreamNodes())
                .as("operators at parallelism 1 besides the collecting sinks")
                .filteredOn(n -> n.getParallelism() == 1)
                .allSatisfy(n -> assertThat(n.getOperatorName()).containsIgnoringCase("collect"));
    }

    /** Asserts every edge upstream of {@code node}'s input {@code input} is forward. */
    static void assertForwardUpstream(StreamGraph graph, StreamNode node, int input) {
        Deque<StreamNode> todo = new ArrayDeque<>();
        int edges = 0;
        for (StreamEdge edge : node.getInEdges()) {
            if (edge.getTypeNumber() == input) {
                assertThat(edge.getPartitioner())
                        .as(edge.toString())
                        .isInstanceOf(ForwardPartitioner.class);
                todo.add(graph.getStreamNode(edge.getSourceId()));
                edges++;
            }
        }
        while (!todo.isEmpty()) {
            StreamNode upstream = todo.poll();
            assertThat(upstream.getParallelism()).as(upstream.getOperatorName()).isEqualTo(2);
            for (StreamEdge edge : upstream.getInEdges()) {
                assertThat(edge.getPartitioner())
                        .as(edge.toString())
                        .isInstanceOf(ForwardPartitioner.class);
                todo.add(graph.getStreamNode(edge.getSourceId()));
                edges++;
            }
        }
        assertThat(edges).as("edges on the records' path").isGreaterThanOrEqualTo(2);
    }

    static boolean hasKeyBy(StreamGraph graph) {
        for (StreamNode node : graph.getStreamNodes()) {
            for (StreamEdge edge : node.getInEdges()) {
                if (edge.getPartitioner() instanceof KeyGroupStreamPartitioner) {
                    return true;
                }
            }
        }
        return false;
    }

    static StreamNode node(StreamGraph graph, String namePrefix) {
        List<StreamNode> found = new ArrayList<>();
        for (StreamNode node : graph.getStreamNodes()) {
            if (node.getOperatorName().startsWith(namePrefix)) {
                found.add(node);
            }
        }
        assertThat(found).as("operators named %s...", namePrefix).hasSize(1);
        return found.get(0);
    }
}
