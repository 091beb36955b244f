package dev.streamnorm.operators;

import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The settings of a batch-norm layer as a savepoint carries them beside the running stats, so that
 * {@code streamnorm stats export} writes a complete stats file and a job restored without {@code
 * --eps} or {@code --affine} normalizes with the layer it was saved with.
 *
 * <p>A Flink POJO (its serializer supports adding fields later).
 */
@PublicEvolving
public class LayerSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Type information of the POJO (no Kryo). */
    public static final TypeInformation<LayerSettings> TYPE_INFO =
            TypeInformation.of(LayerSettings.class);

    /** {@code CxL}, or null when the shape is learned per key. */
    @Nullable public String shape;

    /** A number or {@code cumulative}. */
    public String momentum;

    /** {@code pytorch} or {@code keras}. */
    public String convention;

    public double eps;

    /** Per-channel weight, or null for none. */
    @Nullable public double[] weight;

    /** Per-channel bias, or null for none. */
    @Nullable public double[] bias;

    public LayerSettings() {}

    /** The settings of {@code config}. */
    public static LayerSettings of(Normalization config) {
        return of(
                config.shape(),
                config.momentum(),
                config.convention(),
                config.eps(),
                config.affine());
    }

    /** Settings from their parts; {@code shape} null means learned per key. */
    public static LayerSettings of(
            @Nullable RecordShape shape,
            Momentum momentum,
            Convention convention,
            double eps,
            Affine affine) {
        LayerSettings s = new LayerSettings();
        s.shape = shape == null ? null : shape.toString();
        s.momentum = momentum.toString();
        s.convention = convention.id();
        s.eps = eps;
        s.weight = affine.hasWeight() ? values(affine, true) : null;
        s.bias = affine.hasBias() ? values(affine, false) : null;
        return s;
    }

    /** The shape, or null when learned per key. */
    @Nullable
    public RecordShape recordShape() {
        return shape == null ? null : RecordShape.parse(shape);
    }

    public Affine affine() {
        return Affine.of(weight, bias);
    }

    private static double[] values(Affine affine, boolean weight) {
        double[] values = new double[affine.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = weight ? affine.weight(i) : affine.bias(i);
        }
        return values;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LayerSettings)) {
            return false;
        }
        LayerSettings other = (LayerSettings) o;
        return Objects.equals(shape, other.shape)
                && Objects.equals(momentum, other.momentum)
                && Objects.equals(convention, other.convention)
                && Double.doubleToLongBits(eps) == Double.doubleToLongBits(other.eps)
                && Arrays.equals(weight, other.weight)
                && Arrays.equals(bias, other.bias);
    }

    @Override
    public int hashCode() {
        return Objects.hash(shape, momentum, convention, eps);
    }

    @Override
    public String toString() {
        return "shape="
                + shape
                + " momentum="
                + momentum
                + " convention="
                + convention
                + " eps="
                + eps
                + " weight="
                + Arrays.toString(weight)
                + " bias="
                + Arrays.toString(bias);
    }
}
