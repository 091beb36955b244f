package dev.streamnorm.jobs.demo;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import java.io.PrintWriter;
import java.util.Locale;

/** Per key and feature, the mean and standard deviation of the demo's inputs and outputs. */
final class FeatureSummary {
    private final RecordShape shape;
    private final ChannelMoments[] inputs;
    private final ChannelMoments[] outputs;

    FeatureSummary(int keys, int features) {
        this.shape = RecordShape.vector(features);
        this.inputs = new ChannelMoments[keys];
        this.outputs = new ChannelMoments[keys];
        for (int k = 0; k < keys; k++) {
            inputs[k] = new ChannelMoments(features);
            outputs[k] = new ChannelMoments(features);
        }
    }

    void input(int key, double[] values) {
        synchronized (inputs[key]) {
            inputs[key].acceptRecord(values, shape);
        }
    }

    void output(int key, double[] values) {
        outputs[key].acceptRecord(values, shape);
    }

    void print(PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "%-10s %7s %13s %12s   %10s %10s%n",
                "key",
                "feature",
                "input mean",
                "input std",
                "out mean",
                "out std");
        for (int k = 0; k < inputs.length; k++) {
            for (int f = 0; f < shape.channels(); f++) {
                out.printf(
                        Locale.ROOT,
                        "%-10s %7d %13.4g %12.4g   %10.4f %10.4f%n",
                        DemoData.keyName(k),
                        f,
                        inputs[k].mean(f),
                        Math.sqrt(inputs[k].biasedVariance(f)),
                        outputs[k].mean(f),
                        Math.sqrt(outputs[k].biasedVariance(f)));
            }
        }
    }
}
