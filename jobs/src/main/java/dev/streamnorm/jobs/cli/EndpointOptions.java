package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.Endpoint;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/** Where {@code streamnorm run} reads records and writes them and its dead letters. */
final class EndpointOptions {
    @Option(
            names = "--input",
            required = true,
            paramLabel = "URI",
            description = "kafka://host:port/topic or file:///path.jsonl")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "URI",
            description = "kafka://host:port/topic, file:///path.jsonl or stdout")
    String output;

    @Option(
            names = "--dead-letter",
            paramLabel = "URI",
            description = "Where rejected records go (kafka:// or file://); default: stderr")
    String deadLetter;

    Endpoint input() {
        return Endpoint.parse(input);
    }

    Endpoint output() {
        return Endpoint.parse(output);
    }

    /** The dead-letter endpoint; null: stderr. */
    @Nullable
    Endpoint deadLetter() {
        return deadLetter == null ? null : Endpoint.parse(deadLetter);
    }
}
