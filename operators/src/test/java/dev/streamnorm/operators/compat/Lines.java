package dev.streamnorm.operators.compat;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.state.RunningStats;
import java.nio.charset.StandardCharsets;

/**
 * One-line texts of what a job emits, with every double as its exact bit pattern, so outputs
 * compare bit for bit as sorted lists of lines.
 */
final class Lines {
    private Lines() {}

    /** A normalized record: key, event time, origin, payload and values. */
    static String output(FeatureRecord record) {
        StringBuilder line =
                new StringBuilder("O|")
                        .append(record.key())
                        .append('|')
                        .append(record.timestamp())
                        .append('|')
                        .append(record.origin())
                        .append('|')
                        .append(new String(record.payload(), StandardCharsets.UTF_8));
        appendBits(line, record.values());
        return line.toString();
    }

    /** A dead letter: key and error code. */
    static String deadLetter(DeadLetter letter) {
        return "D|" + letter.key() + "|" + letter.error().code();
    }

    /** A key's final running stats. */
    static String finalStats(String key, RunningStats stats) {
        StringBuilder line = new StringBuilder("S|").append(key).append('|');
        line.append(stats.numBatchesTracked());
        appendBits(line, stats.meanArray());
        appendBits(line, stats.varianceArray());
        return line.toString();
    }

    private static void appendBits(StringBuilder line, double[] values) {
        for (double v : values) {
            line.append('|').append(Long.toHexString(Double.doubleToRawLongBits(v)));
        }
    }
}
