package dev.streamnorm.operators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import dev.streamnorm.state.scaler.ScalerStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The stats file of a scaler (DESIGN §7): §4's file with {@code "norm"} the scaler, its
 * scikit-learn parameters at top level and per key scikit-learn's fitted attributes ({@code
 * n_samples_seen_}, {@code mean_}, ... and, for the robust scaler, {@code "sketches"}: one base64
 * KLL sketch per feature, so that training resumes).
 *
 * <p>A fitted scikit-learn scaler dumped as {@code {"sklearn": "StandardScaler", "params": {...},
 * "attributes": {...}}} is read as the {@code *} entry; {@link #sklearn(String)} writes that form.
 */
public final class ScalerStatsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SKETCHES = "sketches";

    public final ScalerKind kind;
    public final ScalerParams params;
    @Nullable public final RecordShape shape;
    public final ScalerTable table;

    public ScalerStatsFile(
            ScalerKind kind, ScalerParams params, @Nullable RecordShape shape, ScalerTable table) {
        this.kind = kind;
        this.params = params;
        this.shape = shape;
        this.table = table;
    }

    /** A file of each key's {@code stats} fitted with {@code params}. */
    public static ScalerStatsFile of(
            ScalerKind kind,
            ScalerParams params,
            @Nullable RecordShape shape,
            Map<String, ScalerStats> stats) {
        Map<String, ScalerTable.Entry> entries = new LinkedHashMap<>();
        stats.forEach((key, s) -> entries.put(key, ScalerTable.Entry.of(s, params)));
        return new ScalerStatsFile(kind, params, shape, ScalerTable.of(kind, entries));
    }

    /** Whether {@code root} is a scaler's stats file or a dumped scikit-learn scaler. */
    public static boolean isScalerFile(JsonNode root) {
        if (root.has("sklearn")) {
            return true;
        }
        String norm = root.path("norm").asText("batch");
        for (ScalerKind kind : ScalerKind.values()) {
            if (kind.id().equals(norm)) {
                return true;
            }
        }
        return false;
    }

    /** The scaler of a file that {@link #isScalerFile} accepts. */
    static ScalerKind kindOf(JsonNode root) {
        return ScalerKind.of(
                root.has("sklearn") ? root.get("sklearn").asText() : root.get("norm").asText());
    }

    /**
     * Whether {@code file} holds a scaler's stats or a dumped scikit-learn scaler.
     *
     * @throws IllegalArgumentException if it cannot be read as JSON
     */
    public static boolean isScalerFile(Path file) {
        return isScalerFile(StatsFile.readJson(file, "stats file"));
    }

    /**
     * Reads a scaler's stats file or a dumped scikit-learn scaler.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static ScalerStatsFile read(Path file) {
        JsonNode root = StatsFile.readJson(file, "stats file");
        try {
            return of(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A scaler's stats file or dumped scikit-learn scaler already parsed as JSON.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static ScalerStatsFile of(JsonNode root) {
        if (!isScalerFile(root)) {
            throw new IllegalArgumentException(
                    "expected the stats of a scaler (\"norm\": standard, minmax, maxabs or robust)"
                            + " or a dumped scikit-learn scaler (\"sklearn\": ...)");
        }
        ScalerKind kind = kindOf(root);
        Map<String, ScalerTable.Entry> entries = new LinkedHashMap<>();
        if (root.has("sklearn")) {
            entries.put(StatsTable.ANY_KEY, entry(root.path("attributes"), "attributes"));
            return new ScalerStatsFile(
                    kind, params(root.path("params")), null, ScalerTable.of(kind, entries));
        }
        if (!root.path("format").asText("").equals(StatsFile.FORMAT)) {
            throw new IllegalArgumentException("expected \"format\": \"" + StatsFile.FORMAT + "\"");
        }
        JsonNode keys = root.path("keys");
        if (!keys.isObject() || keys.isEmpty()) {
            throw new IllegalArgumentException("\"keys\" must be a non-empty object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = keys.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            entries.put(e.getKey(), entry(e.getValue(), "keys." + e.getKey()));
        }
        return new ScalerStatsFile(
                kind,
                params(root),
                StatsFile.shape(root.get("shape")),
                ScalerTable.of(kind, entries));
    }

    private static ScalerTable.Entry entry(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"" + where + "\" must be an object");
        }
        Map<String, double[]> attributes = new LinkedHashMap<>();
        long count = 0;
        byte[][] sketches = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode value = e.getValue();
            if (name.equals(ScalerStats.N_SAMPLES_SEEN)) {
                // scikit-learn keeps one count per feature when some values were NaN
                JsonNode n = value.isArray() && value.size() > 0 ? value.get(0) : value;
                count = (long) StatsFile.number(n, where + "." + name);
            } else if (name.equals(SKETCHES)) {
                sketches = sketches(value, where + "." + name);
            } else if (value.isArray()) {
                attributes.put(name, StatsFile.numbers(value, where + "." + name));
            }
        }
        if (attributes.isEmpty()) {
            throw new IllegalArgumentException("\"" + where + "\" has no fitted attributes");
        }
        return new ScalerTable.Entry(count, attributes, sketches);
    }

    private static byte[][] sketches(JsonNode node, String where) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("\"" + where + "\" must be an array of strings");
        }
        byte[][] sketches = new byte[node.size()][];
        for (int i = 0; i < sketches.length; i++) {
            try {
                sketches[i] = Base64.getDecoder().decode(node.get(i).asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "\"" + where + "[" + i + "]\" is not base64: " + e.getMessage(), e);
            }
        }
        return sketches;
    }

    /**
     * scikit-learn's constructor parameters found in {@code node} ({@code with_mean}, {@code
     * feature_range}, ...), its defaults for the others.
     *
     * @throws IllegalArgumentException on a value of the wrong type or out of range
     */
    public static ScalerParams params(JsonNode node) {
        ScalerParams d = ScalerParams.defaults();
        double[] range = pairOr(node.get("feature_range"), "feature_range", d.rangeMin, d.rangeMax);
        double[] q =
                pairOr(node.get("quantile_range"), "quantile_range", d.quantileLow, d.quantileHigh);
        return d.withStandard(
                        flag(node, "with_mean", d.withMean), flag(node, "with_std", d.withStd))
                .withMinMax(range[0], range[1], flag(node, "clip", d.clip))
                .withRobust(
                        flag(node, "with_centering", d.withCentering),
                        flag(node, "with_scaling", d.withScaling),
                        q[0],
                        q[1],
                        flag(node, "unit_variance", d.unitVariance));
    }

    private static boolean flag(JsonNode node, String name, boolean otherwise) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("\"" + name + "\" must be true or false");
        }
        return value.booleanValue();
    }

    private static double[] pairOr(@Nullable JsonNode node, String name, double a, double b) {
        if (node == null || node.isNull()) {
            return new double[] {a, b};
        }
        double[] pair = StatsFile.numbers(node, name);
        if (pair.length != 2) {
            throw new IllegalArgumentException("\"" + name + "\" must be [low, high]");
        }
        return pair;
    }

    /** Writes this file (format v1), keys in {@code keyOrder}, numbers round-trip exact. */
    public void write(Path file, Iterable<String> keyOrder) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", StatsFile.FORMAT);
        root.put("norm", kind.id());
        if (shape != null) {
            root.putArray("shape").add(shape.channels()).add(shape.positions());
        }
        putParams(root);
        ObjectNode keys = root.putObject("keys");
        for (String key : keyOrder) {
            ScalerTable.Entry entry = table.lookupExact(key);
            ObjectNode node = keys.putObject(key);
            node.put(ScalerStats.N_SAMPLES_SEEN, entry.count);
            putAttributes(node, entry);
            if (entry.sketches != null) {
                ArrayNode sketches = node.putArray(SKETCHES);
                for (byte[] sketch : entry.sketches) {
                    sketches.add(Base64.getEncoder().encodeToString(sketch));
                }
            }
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    /**
     * The entry of {@code key} as a dumped scikit-learn scaler: {@code {"sklearn": "...", "params":
     * {...}, "attributes": {...}}}, which a few lines of Python turn into a fitted scaler (README).
     *
     * @throws IllegalArgumentException if the file has no entry {@code key}
     */
    public ObjectNode sklearn(String key) {
        ScalerTable.Entry entry = table.lookupExact(key);
        if (entry == null) {
            throw new IllegalArgumentException("no stats for key '" + key + "'");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("sklearn", kind.sklearnName());
        putParams(root.putObject("params"));
        ObjectNode attributes = root.putObject("attributes");
        attributes.put(ScalerStats.N_SAMPLES_SEEN, entry.count);
        putAttributes(attributes, entry);
        if (kind == ScalerKind.STANDARD && !params.withMean && !params.withStd) {
            attributes.putNull("mean_");
            attributes.putNull("var_");
        }
        if (kind == ScalerKind.STANDARD && !params.withStd) {
            attributes.putNull("var_");
            attributes.putNull("scale_");
        }
        if (kind == ScalerKind.ROBUST) {
            if (!params.withCentering) {
                attributes.putNull("center_");
            }
            if (!params.withScaling) {
                attributes.putNull("scale_");
            }
        }
        return root;
    }

    /** Prints the parameters and one row per key and feature of {@code keys}' attributes. */
    public void print(Iterable<String> keys, PrintWriter out) {
        ObjectNode header = JSON.createObjectNode();
        putParams(header);
        out.println(
                kind.sklearnName()
                        + " "
                        + header
                        + ", shape "
                        + (shape == null ? "learned per key" : shape));
        for (String key : keys) {
            ScalerTable.Entry entry = table.lookupExact(key);
            out.println(key + "  n_samples_seen_ " + entry.count);
            entry.attributes.forEach(
                    (name, values) -> {
                        StringBuilder row =
                                new StringBuilder(String.format(Locale.ROOT, "  %-12s", name));
                        for (double v : values) {
                            row.append(String.format(Locale.ROOT, " %14.6g", v));
                        }
                        out.println(row);
                    });
        }
        out.flush();
    }

    /** Writes {@link #sklearn(String)} to {@code file}. */
    public void writeSklearn(String key, Path file) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), sklearn(key));
    }

    private void putParams(ObjectNode node) {
        switch (kind) {
            case STANDARD:
                node.put("with_mean", params.withMean);
                node.put("with_std", params.withStd);
                break;
            case MINMAX:
                node.putArray("feature_range").add(params.rangeMin).add(params.rangeMax);
                node.put("clip", params.clip);
                break;
            case ROBUST:
                node.put("with_centering", params.withCentering);
                node.put("with_scaling", params.withScaling);
                node.putArray("quantile_range").add(params.quantileLow).add(params.quantileHigh);
                node.put("unit_variance", params.unitVariance);
                break;
            default:
                break;
        }
    }

    private static void putAttributes(ObjectNode node, ScalerTable.Entry entry) {
        entry.attributes.forEach(
                (name, values) -> {
                    ArrayNode array = node.putArray(name);
                    for (double v : values) {
                        array.add(v);
                    }
                });
    }
}
