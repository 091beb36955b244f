package dev.streamnorm.operators.compat;

import java.util.Locale;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/** A state backend that takes or restores a savepoint. */
enum Backend {
    HASHMAP,
    ROCKSDB;

    /** A new instance of the backend. */
    StateBackend create() {
        return this == HASHMAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
    }

    /** The name of the backend in configuration ({@code state.backend.type}) and paths. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
