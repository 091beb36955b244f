package dev.streamnorm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The compose file's images must be the Kafka and Flink versions the build uses. */
class DockerComposeTest {
    private static final Pattern IMAGE = Pattern.compile("(?m)^\\s*image:\\s*(\\S+)\\s*$");

    private static List<String> images() throws Exception {
        String compose = Files.readString(Path.of("..", "docker-compose.yml"));
        Matcher m = IMAGE.matcher(compose);
        List<String> images = new java.util.ArrayList<>();
        while (m.find()) {
            images.add(m.group(1));
        }
        return images;
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertThat(value).as("system property %s set by the build", name).isNotBlank();
        return value;
    }

    @Test
    void imagesMatchThePomVersions() throws Exception {
        List<String> images = images();
        String flink = property("streamnorm.flink.version");
        String kafka = property("streamnorm.kafka.version");

        List<String> flinkImages =
                images.stream().filter(i -> i.startsWith("flink:")).collect(Collectors.toList());
        List<String> kafkaImages =
                images.stream()
                        .filter(i -> i.startsWith("apache/kafka:"))
                        .collect(Collectors.toList());

        assertThat(flinkImages).hasSize(3).allMatch(i -> i.startsWith("flink:" + flink + "-"));
        assertThat(kafkaImages).hasSize(2).allMatch(i -> i.equals("apache/kafka:" + kafka));
        assertThat(images).hasSize(flinkImages.size() + kafkaImages.size());
    }

    @Test
    void submitterRunsTheShadedJobJar() throws Exception {
        String compose = Files.readString(Path.of("..", "docker-compose.yml"));
        assertThat(compose)
                .contains("./jobs/target/streamnorm.jar:/opt/streamnorm/streamnorm.jar")
                .contains("/opt/streamnorm/streamnorm.jar\n      - run");
    }
}
