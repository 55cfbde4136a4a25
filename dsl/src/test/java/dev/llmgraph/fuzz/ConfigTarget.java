package dev.llmgraph.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfConfigException;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.hf.NoHfEquivalentException;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.plan.Plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutated Hugging Face config.json documents, read as a person would ({@link HfConfig#parse}); an accepted one
 * then goes through the plan and the accounting a notebook shows next (parameters, memory, FLOPs), which must
 * not overflow or throw either. Seeds: every published preset that has an HF model type (decoders, and the BERT
 * encoders with their masked-LM head), written by {@link HfConfig#toJson}, and Gemma-3-4B's as its image-and-text
 * checkpoint nests it. A case changes one to four fields
 * (anywhere in the tree, including rope_scaling) to a value at the edges, removes one, adds one or changes
 * model_type, and in one case out of four then damages the text (a truncation, a changed character, brackets
 * nested 5,000 deep).
 */
final class ConfigTarget implements FuzzTarget {
    private final List<String> seeds = new ArrayList<>();

    ConfigTarget() {
        for (var preset : Presets.all().values()) {
            try {
                seeds.add(HfConfig.toJson(preset.get()));
            } catch (NoHfEquivalentException e) {
                // a preset without an HF type (ChatGLM, DeepSeek-V2, ...) has no config.json to mutate
            }
        }
        for (var encoder : dev.llmgraph.presets.EncoderPresets.all().values()) {
            seeds.add(HfConfig.toJson(encoder.get().withMaskedLmHead(true))); // bert, with its head's own checks
        }
        seeds.add(imageAndText(HfConfig.toJson(Presets.gemma3_4b())));
    }

    /** Gemma 3's image-and-text form of a gemma3_text config: nested in text_config, beside a vision config. */
    private static String imageAndText(String textConfig) {
        ObjectNode outer = HfConfig.JSON.createObjectNode().put("model_type", "gemma3");
        try {
            outer.set("text_config", HfConfig.JSON.readTree(textConfig));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        outer.putObject("vision_config").put("model_type", "siglip_vision_model").put("hidden_size", 1152);
        return outer.toString();
    }

    @Override
    public boolean isOwnRefusal(Throwable refusal) {
        return refusal instanceof HfConfigException;
    }

    @Override
    public void run(long seed, int id, Path work, StringBuilder what) throws Exception {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003 + id);
        String text = EdgeValues.mutatedJson(seeds.get(id % seeds.size()), r, ConfigTarget::mutate, what);
        if (r.nextInt(4) == 0) {
            text = damage(text, r, what);
        }
        ModelSpec spec = HfConfig.parse(text, "config.json");
        Plan.of(spec);
        var accounting = spec.accounting();
        accounting.parameters();
        accounting.flopsPerToken(spec.contextLength());
        accounting.memory(spec.contextLength(), 1, GgmlType.F16, GgmlType.F16);
    }

    private static void mutate(ObjectNode root, SplittableRandom r, StringBuilder what) {
        ObjectNode target = root;
        if (root.get("rope_scaling") instanceof ObjectNode nested && r.nextInt(4) == 0) {
            target = nested;
        }
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        what.append(what.isEmpty() ? "" : "; ");
        if (names.isEmpty() || r.nextInt(10) == 0) {
            JsonNode v = EdgeValues.aJsonValue(r);
            String name = r.nextBoolean() ? "rope_scaling" : "unknown_" + r.nextInt(10);
            target.set(name, r.nextBoolean() ? v : HfConfig.JSON.createObjectNode().put("type", "linear")
                    .set("factor", v));
            what.append("added ").append(name);
            return;
        }
        String name = names.get(r.nextInt(names.size()));
        switch (r.nextInt(8)) {
            case 0 -> { target.remove(name); what.append("removed ").append(name); }
            case 1 -> {
                String type = HfModelType.values()[r.nextInt(HfModelType.values().length)].id();
                root.put("model_type", r.nextInt(5) == 0 ? "t5" : type);
                what.append("model_type ").append(root.get("model_type"));
            }
            default -> {
                JsonNode v = EdgeValues.aJsonValue(r);
                target.set(name, v);
                what.append(name).append(" = ").append(v);
            }
        }
    }

    private static String damage(String text, SplittableRandom r, StringBuilder what) {
        int at = r.nextInt(text.length());
        return switch (r.nextInt(3)) {
            case 0 -> {
                what.append("; truncated at ").append(at);
                yield text.substring(0, at);
            }
            case 1 -> {
                char c = "{}[]\",:0-eE.\\ \u0000".charAt(r.nextInt(15));
                what.append("; character ").append(at).append(" = ").append((int) c);
                yield text.substring(0, at) + c + text.substring(at + 1);
            }
            default -> {
                what.append("; 5000 nested arrays in the first field");
                yield "{\"deep\":" + "[".repeat(5000) + "]".repeat(5000) + "," + text.substring(1);
            }
        };
    }
}
