package dev.streamnorm.jobs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamnorm.operators.ErrorCode;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsUpdate;
import java.io.IOException;

/**
 * Reads a stats-update message: a stats file (DESIGN §4) or a PyTorch {@code state_dict}, with two
 * optional top-level fields, {@code "version"} (string or number) and {@code "effective_from"}
 * (epoch ms). The message's own place and time stand in for them when absent.
 */
public final class StatsUpdateDecoder {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The update in {@code payload}.
     *
     * @param defaultVersion the version when the message has none, e.g. {@code
     *     "<partition>-<offset>"}
     * @param defaultEffectiveFrom the effective time when the message has none, e.g. its Kafka
     *     timestamp
     * @throws BadRecordException with {@link ErrorCode#BAD_STATS_UPDATE} and the reason
     */
    public StatsUpdate decode(byte[] payload, String defaultVersion, long defaultEffectiveFrom)
            throws BadRecordException {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw bad("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad("not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad("a stats update must be a JSON object");
        }
        try {
            return new StatsUpdate(
                    version(root.get("version"), defaultVersion),
                    effectiveFrom(root.get("effective_from"), defaultEffectiveFrom),
                    StatsFile.of(root).stats);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private static String version(JsonNode node, String defaultVersion) throws BadRecordException {
        if (node == null || node.isNull()) {
            return defaultVersion;
        }
        if (!node.isTextual() && !node.isNumber()) {
            throw bad("\"version\" must be a string or a number");
        }
        return node.asText();
    }

    private static long effectiveFrom(JsonNode node, long defaultTime) throws BadRecordException {
        if (node == null || node.isNull()) {
            return defaultTime;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw bad("\"effective_from\" must be epoch milliseconds (an integer)");
        }
        return node.asLong();
    }

    private static BadRecordException bad(String reason) {
        return new BadRecordException(ErrorCode.BAD_STATS_UPDATE, "bad stats update: " + reason);
    }
}
