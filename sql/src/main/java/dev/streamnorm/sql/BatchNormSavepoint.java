package dev.streamnorm.sql;

import dev.streamnorm.state.RunningStats;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.runtime.typeutils.ExternalSerializer;
import org.apache.flink.table.types.CollectionDataType;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;

/**
 * How a savepoint of a {@code BATCH_NORM} job holds a key's running stats, for readers such as the
 * State Processor API: keyed state of the operator whose uid is the call's {@code uid}, keyed by
 * Flink's internal row of the {@code PARTITION BY} columns, list state {@code running_stats} of at
 * most one element, with the serializer Flink gives the function's list state.
 */
public final class BatchNormSavepoint {
    private BatchNormSavepoint() {}

    /** The descriptor of the running stats, as Flink declares them for the function. */
    public static ListStateDescriptor<RunningStats> runningStats() {
        DataType list = BatchNormState.runningStatsType().getChildren().get(0);
        DataType stats = ((CollectionDataType) list).getElementDataType();
        return new ListStateDescriptor<>(
                BatchNormState.RUNNING_STATS, ExternalSerializer.of(stats));
    }

    /**
     * The text of a key whose {@code PARTITION BY} columns have types {@code keyType}: its values
     * joined by '|', the key text that {@code BATCH_NORM} looks up in a stats file.
     */
    public static String keyText(RowData key, RowType keyType) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < keyType.getFieldCount(); i++) {
            @SuppressWarnings("unchecked")
            DataStructureConverter<Object, Object> converter =
                    (DataStructureConverter<Object, Object>)
                            DataStructureConverters.getConverter(
                                    TypeConversions.fromLogicalToDataType(keyType.getTypeAt(i)));
            converter.open(BatchNormSavepoint.class.getClassLoader());
            Object value =
                    converter.toExternalOrNull(
                            RowData.createFieldGetter(keyType.getTypeAt(i), i).getFieldOrNull(key));
            text.append(i == 0 ? "" : "|").append(value);
        }
        return text.toString();
    }
}
