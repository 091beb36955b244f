package dev.streamnorm.state.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class DoubleArraysTest {
    private static final double[] VALUES = {
        0.0,
        -0.0,
        1.5,
        -1e300,
        Double.MIN_VALUE,
        Double.MAX_VALUE,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        Double.longBitsToDouble(0x7ff8_0000_0000_0001L), // a NaN that is not the canonical one
        Math.PI
    };

    @Test
    void writesTheBytesOfWriteDoubleValueByValue() throws IOException {
        DataOutputSerializer expected = new DataOutputSerializer(128);
        for (double v : VALUES) {
            expected.writeDouble(v);
        }
        DataOutputSerializer actual = new DataOutputSerializer(128);
        DoubleArrays.write(VALUES, actual);
        assertThat(actual.getCopyOfBuffer()).isEqualTo(expected.getCopyOfBuffer());
    }

    @Test
    void readsWhatWriteDoubleWrote() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        for (double v : VALUES) {
            out.writeDouble(v);
        }
        out.writeInt(42);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        double[] read = DoubleArrays.read(in, VALUES.length);
        for (int i = 0; i < VALUES.length; i++) {
            assertThat(Double.doubleToLongBits(read[i]))
                    .isEqualTo(Double.doubleToLongBits(VALUES[i]));
        }
        assertThat(in.readInt()).as("the stream goes on after the array").isEqualTo(42);
    }

    @Test
    void writesAPrefixAndRejectsCorruptLengths() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        DoubleArrays.write(VALUES, 3, out);
        assertThat(out.length()).isEqualTo(24);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(DoubleArrays.read(in, 3)).containsExactly(0.0, -0.0, 1.5);
        assertThatThrownBy(() -> DoubleArrays.read(in, -1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("length -1");
        assertThatThrownBy(() -> DoubleArrays.read(in, Integer.MAX_VALUE))
                .isInstanceOf(IOException.class);
    }
}
