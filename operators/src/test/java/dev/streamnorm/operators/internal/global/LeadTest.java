package dev.streamnorm.operators.internal.global;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How long ago a subtask's watermark passed what every subtask has passed. */
class LeadTest {
    @Test
    void measuresFromWhenTheWatermarkFirstPassedTheClosedPoint() {
        Lead lead = new Lead();
        assertThat(lead.nanosAhead(Long.MIN_VALUE, 1_000)).isZero();
        lead.advanced(100, 1_000);
        lead.advanced(200, 2_000);
        lead.advanced(300, 3_000);
        // Nothing closed yet: ahead since the first watermark.
        assertThat(lead.nanosAhead(Long.MIN_VALUE, 5_000)).isEqualTo(4_000);
        // Closed up to 150: the watermark passed it at 2000 (when it reached 200).
        assertThat(lead.nanosAhead(150, 5_000)).isEqualTo(3_000);
        assertThat(lead.nanosAhead(200, 5_000)).isEqualTo(2_000);
        // Every subtask is where this one is: not ahead.
        assertThat(lead.nanosAhead(300, 5_000)).isZero();
    }

    @Test
    void aLeadLongerThanItsHistoryCountsFromTheOldestAdvanceKept() {
        Lead lead = new Lead();
        for (int i = 1; i <= 100; i++) {
            lead.advanced(i, i * 10L);
        }
        // The last 64 advances are kept: watermarks 37..100 at times 370..1000.
        assertThat(lead.nanosAhead(0, 2_000)).isEqualTo(2_000 - 370);
        assertThat(lead.nanosAhead(90, 2_000)).isEqualTo(2_000 - 910);
    }
}
