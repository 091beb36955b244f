package dev.streamnorm.jobs.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Checks, record by record and without keeping the records, that the committed output of a run over
 * {@link SequencedFeatures} has every good record of each key exactly once and in {@code seq}
 * order, and the dead letters every bad record exactly once: nothing lost, nothing duplicated.
 */
final class SequenceCheck {
    private static final int SHOWN = 20;

    private final SequencedFeatures input;
    private final int[] nextOutput;
    private final BitSet deadLetters;
    private final List<String> problems = new ArrayList<>();
    private int problemCount;
    private long outputs;
    private long deadLetterCount;

    SequenceCheck(SequencedFeatures input) {
        this.input = input;
        this.nextOutput = new int[input.keys];
        this.deadLetters = new BitSet(input.keys);
        for (int k = 0; k < input.keys; k++) {
            nextOutput[k] = nextGood(k, 0);
        }
    }

    /** One committed output record, in the order its partition holds it. */
    void output(String key, long seq) {
        outputs++;
        int k = keyIndex(key);
        if (k < 0) {
            problem("output of unknown key '" + key + "' (seq " + seq + ")");
        } else if (seq == nextOutput[k]) {
            nextOutput[k] = nextGood(k, nextOutput[k] + 1);
        } else if (seq < nextOutput[k]) {
            problem(key + ": seq " + seq + " again (or out of order) after " + (nextOutput[k] - 1));
        } else {
            problem(key + ": seq " + seq + " where " + nextOutput[k] + " was due (lost?)");
            nextOutput[k] = nextGood(k, (int) seq + 1);
        }
    }

    /** One committed dead letter, for the input message {@code key}/{@code seq}. */
    void deadLetter(String key, long seq) {
        deadLetterCount++;
        int k = keyIndex(key);
        if (k < 0 || seq != input.badSeq(k)) {
            problem("dead letter for a good record: " + key + " seq " + seq);
        } else if (deadLetters.get(k)) {
            problem("dead letter for " + key + " seq " + seq + " twice");
        } else {
            deadLetters.set(k);
        }
    }

    long outputs() {
        return outputs;
    }

    long deadLetters() {
        return deadLetterCount;
    }

    /** After the whole output was read: the problems, plus every key that is incomplete. */
    List<String> problems() {
        List<String> all = new ArrayList<>(problems);
        int count = problemCount;
        for (int k = 0; k < input.keys; k++) {
            if (nextOutput[k] < input.perKey) {
                count++;
                if (all.size() < SHOWN) {
                    all.add(
                            SequencedFeatures.key(k)
                                    + ": output ends before seq "
                                    + nextOutput[k]
                                    + " (lost)");
                }
            }
            if (!deadLetters.get(k)) {
                count++;
                if (all.size() < SHOWN) {
                    all.add(SequencedFeatures.key(k) + ": no dead letter for its bad record");
                }
            }
        }
        if (count > all.size()) {
            all.add("... " + (count - all.size()) + " more");
        }
        return all;
    }

    private int nextGood(int k, int from) {
        return from == input.badSeq(k) ? from + 1 : from;
    }

    private int keyIndex(String key) {
        if (key == null || key.length() < 2 || key.charAt(0) != 'k') {
            return -1;
        }
        try {
            int k = Integer.parseInt(key.substring(1));
            return k >= 0 && k < input.keys ? k : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void problem(String text) {
        problemCount++;
        if (problems.size() < SHOWN) {
            problems.add(text);
        }
    }
}
