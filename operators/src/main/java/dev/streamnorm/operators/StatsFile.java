package dev.streamnorm.operators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The stats file of DESIGN §4 ({@code streamnorm.stats/v1}): running statistics per key with the
 * layer's settings. A PyTorch BatchNorm {@code state_dict} dumped as JSON ({@code running_mean},
 * {@code running_var}, {@code num_batches_tracked}, {@code weight}, {@code bias} at top level) is
 * read as the {@code *} entry, so a trained layer can be served as is.
 */
public final class StatsFile {
    /** The format identifier written and accepted. */
    public static final String FORMAT = "streamnorm.stats/v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    public final StatsTable stats;
    @Nullable public final RecordShape shape;
    @Nullable public final Double eps;
    @Nullable public final String momentum;
    @Nullable public final String convention;
    public final Affine affine;

    public StatsFile(
            StatsTable stats,
            @Nullable RecordShape shape,
            @Nullable Double eps,
            @Nullable String momentum,
            @Nullable String convention,
            Affine affine) {
        this.stats = stats;
        this.shape = shape;
        this.eps = eps;
        this.momentum = momentum;
        this.convention = convention;
        this.affine = affine;
    }

    /** A file of {@code stats} with the layer's {@code settings} (null: none known). */
    public static StatsFile of(StatsTable stats, @Nullable LayerSettings settings) {
        if (settings == null) {
            return new StatsFile(stats, null, null, null, null, Affine.identity());
        }
        return new StatsFile(
                stats,
                settings.recordShape(),
                settings.eps,
                settings.momentum,
                settings.convention,
                settings.affine());
    }

    /** The layer settings of this file, with the convention's defaults for what it leaves out. */
    public LayerSettings settings() {
        Convention layerConvention = Convention.PYTORCH;
        if (convention != null) {
            try {
                layerConvention = Convention.valueOf(convention.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "\"convention\" must be pytorch or keras, got '"
                                + oneLine(convention)
                                + "'",
                        e);
            }
        }
        Momentum layerMomentum;
        try {
            layerMomentum =
                    momentum != null
                            ? Momentum.parse(momentum)
                            : Momentum.of(layerConvention.defaultMomentum());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(oneLine(e.getMessage()), e);
        }
        return LayerSettings.of(
                shape,
                layerMomentum,
                layerConvention,
                eps != null ? eps : layerConvention.defaultEps(),
                affine);
    }

    /**
     * Reads a stats file or a PyTorch {@code state_dict}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static StatsFile read(Path file) {
        JsonNode root = readJson(file, "stats file");
        try {
            return of(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + oneLine(e.getMessage()), e);
        }
    }

    /** {@code message} with its line breaks escaped: a key of the file may contain some. */
    private static String oneLine(String message) {
        return message.replace("\r", "\\r").replace("\n", "\\n");
    }

    /**
     * A stats file or PyTorch {@code state_dict} already parsed as JSON; fields it does not know
     * (such as a stats update's {@code version}) are ignored.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static StatsFile of(JsonNode root) {
        if (root.has("running_mean")) {
            return fromStateDict(root);
        }
        if (ScalerStatsFile.isScalerFile(root)) {
            throw new IllegalArgumentException(
                    "the stats of a scaler: use them with --norm "
                            + ScalerStatsFile.kindOf(root).id());
        }
        String format = root.path("format").asText("");
        if (!format.equals(FORMAT)) {
            throw new IllegalArgumentException(
                    "expected \"format\": \"" + FORMAT + "\" or a PyTorch state_dict");
        }
        Map<String, RunningStats> keys = new LinkedHashMap<>();
        JsonNode entries = root.path("keys");
        if (!entries.isObject() || entries.isEmpty()) {
            throw new IllegalArgumentException("\"keys\" must be a non-empty object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = entries.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            keys.put(e.getKey(), runningStats(e.getValue(), "keys." + e.getKey()));
        }
        return new StatsFile(
                StatsTable.of(keys),
                shape(root.get("shape")),
                root.hasNonNull("eps") ? number(root.get("eps"), "eps") : null,
                root.hasNonNull("momentum") ? root.get("momentum").asText() : null,
                root.hasNonNull("convention") ? root.get("convention").asText() : null,
                affine(root));
    }

    private static StatsFile fromStateDict(JsonNode root) {
        RunningStats stats = runningStats(root, "state_dict");
        return new StatsFile(
                StatsTable.of(Map.of(StatsTable.ANY_KEY, stats)),
                null,
                null,
                null,
                null,
                affine(root));
    }

    /** Reads an affine file: {@code {"weight": [...], "bias": [...]}}, either may be absent. */
    public static Affine readAffine(Path file) {
        JsonNode root = readJson(file, "affine file");
        try {
            if (!root.has("weight") && !root.has("bias")) {
                throw new IllegalArgumentException("expected \"weight\" and/or \"bias\"");
            }
            return affine(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode readJson(Path file, String what) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(file + ": a " + what + " must be a JSON object");
            }
            return root;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such " + what);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new IllegalArgumentException(file + ": no such " + what);
            }
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static RunningStats runningStats(JsonNode node, String where) {
        double[] mean = numbers(node.get("running_mean"), where + ".running_mean");
        double[] variance = numbers(node.get("running_var"), where + ".running_var");
        JsonNode batches = node.get("num_batches_tracked");
        long tracked = batches == null || batches.isNull() ? 0 : batches.asLong();
        try {
            return RunningStats.of(mean, variance, tracked);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Affine affine(JsonNode root) {
        JsonNode weight = root.get("weight");
        JsonNode bias = root.get("bias");
        return Affine.of(
                weight == null || weight.isNull() ? null : numbers(weight, "weight"),
                bias == null || bias.isNull() ? null : numbers(bias, "bias"));
    }

    @Nullable
    static RecordShape shape(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        double[] dims = numbers(node, "shape");
        if (dims.length < 1 || dims.length > 2) {
            throw new IllegalArgumentException("\"shape\" must be [C] or [C, L]");
        }
        return RecordShape.of((int) dims[0], dims.length == 2 ? (int) dims[1] : 1);
    }

    static double number(JsonNode node, String where) {
        if (!node.isNumber()) {
            throw new IllegalArgumentException("\"" + where + "\" must be a number");
        }
        return node.doubleValue();
    }

    static double[] numbers(@Nullable JsonNode node, String where) {
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("\"" + where + "\" must be an array of numbers");
        }
        double[] values = new double[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(node.get(i), where + "[" + i + "]");
        }
        return values;
    }

    /** Writes this file in format v1, numbers with full round-trip precision. */
    public void write(Path file, Iterable<String> keyOrder) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("norm", "batch");
        if (shape != null) {
            root.putArray("shape").add(shape.channels()).add(shape.positions());
        }
        if (momentum != null) {
            Momentum m = Momentum.parse(momentum);
            if (m.isCumulative()) {
                root.put("momentum", m.toString());
            } else {
                root.put("momentum", m.value());
            }
        }
        if (convention != null) {
            root.put("convention", convention);
        }
        if (eps != null) {
            root.put("eps", eps);
        }
        if (!affine.isIdentity()) {
            int n = affine.length();
            ArrayNode weight = root.putArray("weight");
            ArrayNode bias = root.putArray("bias");
            for (int i = 0; i < n; i++) {
                weight.add(affine.weight(i));
                bias.add(affine.bias(i));
            }
        }
        ObjectNode keys = root.putObject("keys");
        for (String key : keyOrder) {
            RunningStats s = stats.lookup(key).orElseThrow();
            ObjectNode entry = keys.putObject(key);
            ArrayNode mean = entry.putArray("running_mean");
            ArrayNode variance = entry.putArray("running_var");
            for (int c = 0; c < s.channels(); c++) {
                mean.add(s.mean(c));
                variance.add(s.variance(c));
            }
            entry.put("num_batches_tracked", s.numBatchesTracked());
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
