package dev.streamnorm.sql;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void runs() throws Exception {
        TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        t.getConfig().set("parallelism.default", "1");
        t.executeSql("LOAD MODULE streamnorm");
        t.executeSql(
                "CREATE VIEW f AS SELECT * FROM (VALUES ('a', 1, ARRAY[1.0e0, 2.0e0]), ('a', 2, ARRAY[3.0e0, 5.0e0]), ('b', 3, ARRAY[1.0e0, CAST(NULL AS DOUBLE)]), ('a', 4, ARRAY[7.0e0, 1.0e0])) AS t(k, id, vals)");
        t.executeSql("SELECT * FROM LAYER_NORM(input => TABLE f, features => DESCRIPTOR(vals))")
                .print();
        t.executeSql(
                        "SELECT * FROM BATCH_NORM(input => TABLE f PARTITION BY k, features => DESCRIPTOR(vals), batch_size => 2)")
                .print();
        t.executeSql(
                        "SELECT * FROM BATCH_NORM(input => TABLE f PARTITION BY k, features => DESCRIPTOR(vals), mode => 'online', momentum => '0.5')")
                .print();
        try {
            t.executeSql(
                            "SELECT * FROM BATCH_NORM(input => TABLE f PARTITION BY k, features => DESCRIPTOR(vals), eps => -1.0)")
                    .print();
        } catch (Exception e) {
            for (Throwable c = e; c != null; c = c.getCause())
                System.out.println("ERR: " + c.getClass().getSimpleName() + ": " + c.getMessage());
        }
        try {
            t.executeSql(
                            "SELECT * FROM BATCH_NORM(input => TABLE f PARTITION BY k, features => DESCRIPTOR(nope))")
                    .print();
        } catch (Exception e) {
            for (Throwable c = e; c != null; c = c.getCause())
                System.out.println("ERR: " + c.getClass().getSimpleName() + ": " + c.getMessage());
        }
    }
}
