package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to the fields of a config.json object, with the messages a reader needs when a field is
 * missing, of the wrong kind, or contradicts an alias. A JSON {@code null} counts as absent, as it does for
 * HF's config classes ({@code "rope_scaling": null}, {@code "n_inner": null}). Several HF classes accept two
 * names for one setting (GPT-2's {@code n_embd} and {@code hidden_size}); when both are present they must
 * agree.
 */
final class ConfigFields {
    private final ObjectNode root;
    private final String source;
    private final String prefix;

    ConfigFields(ObjectNode root, String source) {
        this(root, source, "");
    }

    private ConfigFields(ObjectNode root, String source, String prefix) {
        this.root = root;
        this.source = source;
        this.prefix = prefix;
    }

    String source() {
        return source;
    }

    /** The fields of the object {@code field} (e.g. {@code rope_scaling}), or null when absent. */
    ConfigFields nested(String field) {
        JsonNode node = get(field);
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw error(field, "field '" + qualified(field) + "' = " + node + " must be a JSON object");
        }
        return new ConfigFields((ObjectNode) node, source, qualified(field) + ".");
    }

    /**
     * These fields, with {@code defaults}' where they are absent (an HF class's defaults for fields its config.json
     * leaves out); messages name the fields as before.
     */
    ConfigFields withDefaults(ObjectNode defaults) {
        ObjectNode merged = defaults.deepCopy();
        merged.setAll(root);
        return new ConfigFields(merged, source, prefix);
    }

    /**
     * The object {@code field} read as a config of its own (an HF sub-config, such as Gemma 3's {@code text_config}),
     * with {@code defaults}' fields where it leaves them out; messages name it after the file, "source field: ...".
     */
    ConfigFields subConfig(String field, ObjectNode defaults) {
        ConfigFields nested = nested(field);
        return nested == null ? null : new ConfigFields(nested.withDefaults(defaults).root,
                source + " " + qualified(field), "");
    }

    HfConfigException error(String field, String problem) {
        return new HfConfigException(source, field == null ? null : qualified(field), problem);
    }

    String qualified(String field) {
        return prefix + field;
    }

    boolean has(String field, String... aliases) {
        return get(field, aliases) != null;
    }

    /** The value of {@code field} or of the first alias present; null when none is. */
    JsonNode get(String field, String... aliases) {
        JsonNode value = present(field);
        String from = field;
        for (String alias : aliases) {
            JsonNode other = present(alias);
            if (other == null) {
                continue;
            }
            if (value == null) {
                value = other;
                from = alias;
            } else if (!value.equals(other)) {
                throw error(field, "fields '" + qualified(from) + "' = " + value + " and '" + qualified(alias) + "' = "
                        + other + " disagree; HF reads them as one setting");
            }
        }
        return value;
    }

    /** Whether the file sets {@code field} to JSON null (which some fields use to mean "off"). */
    boolean isExplicitNull(String field) {
        JsonNode node = root.get(field);
        return node != null && node.isNull();
    }

    private JsonNode present(String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : node;
    }

    /** A size llmgraph cannot guess: HF's class defaults describe one particular model and would silently build it. */
    int requiredSize(String field, String purpose, String... aliases) {
        JsonNode node = get(field, aliases);
        if (node == null) {
            throw error(field, "field '" + qualified(field) + "' is missing; it sets " + purpose);
        }
        return size(field, node);
    }

    int optionalSize(String field, int fallback, String... aliases) {
        JsonNode node = get(field, aliases);
        return node == null ? fallback : size(field, node);
    }

    /** A whole number that may be absent (null). */
    Integer optionalInt(String field, String... aliases) {
        JsonNode node = get(field, aliases);
        return node == null ? null : wholeNumber(field, node);
    }

    private int size(String field, JsonNode node) {
        int value = wholeNumber(field, node);
        if (value < 1) {
            throw error(field, "field '" + qualified(field) + "' = " + node + " must be at least 1");
        }
        return value;
    }

    private int wholeNumber(String field, JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw error(field, "field '" + qualified(field) + "' = " + node + " must be a whole number");
        }
        return node.intValue();
    }

    double number(String field, double fallback, String... aliases) {
        JsonNode node = get(field, aliases);
        if (node == null) {
            return fallback;
        }
        if (!node.isNumber()) {
            throw error(field, "field '" + qualified(field) + "' = " + node + " must be a number");
        }
        return node.doubleValue();
    }

    /** A JSON array of numbers, or null when absent. */
    List<Double> numbers(String field) {
        JsonNode node = get(field);
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            throw error(field, "field '" + qualified(field) + "' = " + node + " must be a list of numbers");
        }
        List<Double> values = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isNumber()) {
                throw error(field, "field '" + qualified(field) + "' holds " + node.get(i) + " at index " + i
                        + "; it must be a list of numbers");
            }
            values.add(node.get(i).doubleValue());
        }
        return values;
    }

    boolean flag(String field, boolean fallback, String... aliases) {
        JsonNode node = get(field, aliases);
        if (node == null) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw error(field, "field '" + qualified(field) + "' = " + node + " must be true or false");
        }
        return node.booleanValue();
    }

    String text(String field, String fallback, String... aliases) {
        JsonNode node = get(field, aliases);
        if (node == null) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw error(field, "field '" + qualified(field) + "' = " + node + " must be a string");
        }
        return node.textValue();
    }

    /** The spec's name: HF's {@code _name_or_path} where the file has one, else {@code fallback}. */
    String modelName(String fallback) {
        String name = text("_name_or_path", "");
        return name.isBlank() ? fallback : name;
    }
}
