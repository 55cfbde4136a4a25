package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Gemma 3's image-and-text config.json (model_type gemma3, Gemma3ForConditionalGeneration: gemma-3-4b, -12b, -27b),
 * read as its text model: the settings of {@code text_config}, a gemma3_text config. The vision tower
 * ({@code vision_config}) and the projection of image features into the text model are not read. The published
 * configs leave out the text model's settings that equal Gemma3TextConfig's defaults (the 4B's text_config sets six
 * fields), so those defaults are read here, sizes included (rope_theta's, as for any gemma3_text config). The
 * checkpoint's tensors lie under {@code language_model.} ({@link HfNames#alternativeNames}).
 */
final class Gemma3ImageText {
    /** The wrapping config's model_type. */
    static final String MODEL_TYPE = "gemma3";

    /** What llmgraph reads of such a config, for the messages that list the types. */
    static final String READ_AS = "gemma3 as its text model";

    private Gemma3ImageText() {}

    /** Gemma3TextConfig's defaults for the fields the gemma3_text reader needs and a text_config may leave out. */
    static ObjectNode textDefaults() {
        ObjectNode defaults = HfConfig.JSON.createObjectNode();
        defaults.put("vocab_size", 262_208);
        defaults.put("hidden_size", 2304);
        defaults.put("intermediate_size", 9216);
        defaults.put("num_hidden_layers", 26);
        defaults.put("num_attention_heads", 8);
        defaults.put("num_key_value_heads", 4);
        defaults.put("head_dim", 256);
        defaults.put("max_position_embeddings", 131_072);
        return defaults;
    }

    /** The text model's fields of the image-and-text config {@code outer}. */
    static ConfigFields textConfig(ConfigFields outer) {
        ConfigFields text = outer.nested("text_config");
        if (text == null) {
            throw outer.error("text_config", "field 'text_config' is missing; a gemma3 (image-and-text) config holds "
                    + "the settings of its text model there");
        }
        String type = text.text("model_type", HfModelType.GEMMA3.id());
        if (!type.equals(HfModelType.GEMMA3.id())) {
            throw text.error("model_type", "field '" + text.qualified("model_type") + "' = \"" + type + "\" is not "
                    + "Gemma 3's text model (" + HfModelType.GEMMA3.id() + ")");
        }
        ObjectNode defaults = textDefaults();
        String name = outer.text("_name_or_path", "");
        if (!name.isBlank()) {
            defaults.put("_name_or_path", name);
        }
        return outer.subConfig("text_config", defaults);
    }
}
