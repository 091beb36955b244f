package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import javax.annotation.Nullable;

/** The checks every operator applies before touching a record's values. */
public final class RecordCheck {
    private RecordCheck() {}

    /** {@link #check(FeatureRecord, int, Object)} describing the shape of {@code config}. */
    @Nullable
    static DeadLetter check(FeatureRecord record, int expectedLength, Normalization config) {
        return check(
                record,
                expectedLength,
                config.shape() != null ? config.shape() : "learned from the key's first record");
    }

    /**
     * The dead letter for {@code record}, or null when it can be normalized: no non-finite value,
     * and {@code expectedLength} values unless that is negative (not known yet). {@code shapeText}
     * describes the shape in the message; it is turned into text only on rejection.
     */
    @Nullable
    public static DeadLetter check(FeatureRecord record, int expectedLength, Object shapeText) {
        double[] values = record.values();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                return DeadLetter.of(
                        record,
                        ErrorCode.NON_FINITE,
                        "values[" + i + "] is " + values[i] + "; only finite numbers are allowed");
            }
        }
        if (values.length == 0) {
            return DeadLetter.of(record, ErrorCode.WRONG_LENGTH, "values is empty");
        }
        if (expectedLength >= 0 && values.length != expectedLength) {
            return DeadLetter.of(
                    record,
                    ErrorCode.WRONG_LENGTH,
                    "expected "
                            + expectedLength
                            + " values (shape "
                            + shapeText
                            + "), got "
                            + values.length);
        }
        return null;
    }
}
