package dev.streamnorm.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AffineTest {
    @Test
    void followedByComposesBothSteps() {
        Affine affine = Affine.of(new double[] {2, -1}, new double[] {0.5, 3});
        Affine aligned = affine.followedBy(new double[] {10, 4}, new double[] {100, -7});
        double[] x = {1.25, -0.75};
        for (int i = 0; i < x.length; i++) {
            double stepwise = (x[i] * affine.weight(i) + affine.bias(i)) * (i == 0 ? 10 : 4);
            stepwise += i == 0 ? 100 : -7;
            assertThat(x[i] * aligned.weight(i) + aligned.bias(i)).isEqualTo(stepwise);
        }
        assertThat(aligned).isEqualTo(Affine.of(new double[] {20, -4}, new double[] {105, 5}));
    }

    @Test
    void theIdentityFollowedByAScaleIsThatScale() {
        assertThat(Affine.identity().followedBy(new double[] {3}, new double[] {1}))
                .isEqualTo(Affine.of(new double[] {3}, new double[] {1}));
    }

    @Test
    void lengthsMustAgree() {
        Affine two = Affine.of(new double[] {1, 1}, null);
        assertThatThrownBy(() -> two.followedBy(new double[] {1, 2, 3}, new double[] {0, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("affine of 2 entries");
    }
}
