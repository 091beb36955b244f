package dev.streamnorm.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void aFileIsAPlainPathOrAFileUri() {
        Endpoint uri = Endpoint.parse("file:///data/in.jsonl");
        Endpoint plain = Endpoint.parse("/data/in.jsonl");
        Endpoint relative = Endpoint.parse("in.jsonl");

        assertThat(uri.kind()).isEqualTo(Endpoint.Kind.FILE);
        assertThat(uri.path()).isEqualTo(Path.of("/data/in.jsonl"));
        assertThat(plain.path()).isEqualTo(uri.path());
        assertThat(relative.path()).isEqualTo(Path.of("in.jsonl").toAbsolutePath());
        assertThat(uri.toString()).isEqualTo("file:///data/in.jsonl");
    }

    @Test
    void kafkaAndStdout() {
        Endpoint kafka = Endpoint.parse("kafka://127.0.0.1:9092/features");

        assertThat(kafka.kind()).isEqualTo(Endpoint.Kind.KAFKA);
        assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(kafka.topic()).isEqualTo("features");
        assertThat(Endpoint.parse("stdout").kind()).isEqualTo(Endpoint.Kind.STDOUT);
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> Endpoint.parse("s3://bucket/in.jsonl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an endpoint");
        assertThatThrownBy(() -> Endpoint.parse("kafka://host/topic"))
                .hasMessageContaining("a Kafka endpoint is kafka://host:port/topic");
    }
}
