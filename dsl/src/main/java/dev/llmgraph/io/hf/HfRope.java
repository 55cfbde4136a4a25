package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;

import java.util.List;

/**
 * RoPE's base and scaling in config.json: {@code rope_theta} and {@code rope_scaling} (or, in newer files,
 * both inside {@code rope_parameters}). The scaling types map as
 * <pre>
 *  absent, null, "default"  RopeScaling.none()
 *  "linear"                 RopeScaling.linear(factor)          position interpolation
 *  "dynamic"                RopeScaling.ntkAware(factor)        see below
 *  "yarn"                   RopeScaling.Yarn(factor, original_max_position_embeddings, beta_fast, beta_slow)
 *  "llama3"                 RopeScaling.Llama3(factor, low_freq_factor, high_freq_factor,
 *                                              original_max_position_embeddings), 1, 4 and 8192 when absent
 *                                              (llama.cpp's converter's defaults)
 *  "longrope", "su"         RopeScaling.LongRope(short_factor, long_factor, original_max_position_embeddings,
 *                                                attention_factor)
 * </pre>
 * LongRoPE reads {@code original_max_position_embeddings} where Phi3Config keeps it, at the top level (or inside the
 * scaling object, as newer files do); without it the trained context is max_position_embeddings. Its attention factor
 * is {@code attention_factor} where given, else the paper's sqrt(1 + ln(s) / ln(original)) with s =
 * max_position_embeddings / original, or the scaling's {@code factor} where the file has no original (Hugging Face's
 * {@code _compute_longrope_parameters}).
 * HF's "dynamic" recomputes the base from the current sequence length and leaves it alone up to
 * max_position_embeddings; llmgraph's NTK-aware scaling raises the base once, by the full factor, for every
 * length (bloc97's original formula). The two agree on what the factor means, not on every logit. HF also switches
 * LongRoPE's set by the current sequence length, llmgraph by the context the model is loaded with (as llama.cpp).
 * Other types have no llmgraph equivalent and are refused by name.
 */
final class HfRope {
    private HfRope() {}

    static Positional.Rope read(ConfigFields f, int maxPositions, RopePairing pairing) {
        return read(f, maxPositions, pairing, false);
    }

    /**
     * As {@link #read(ConfigFields, int, RopePairing)}; with {@code deepSeekMscale} YaRN's {@code mscale} and
     * {@code mscale_all_dim} are left to the caller (DeepSeek-V2's latent attention reads them) instead of refused.
     */
    static Positional.Rope read(ConfigFields f, int maxPositions, RopePairing pairing, boolean deepSeekMscale) {
        ConfigFields parameters = f.nested("rope_parameters");
        double theta = f.number("rope_theta", 10_000);
        ConfigFields scaling = f.nested("rope_scaling");
        if (parameters != null) {
            if (scaling != null) {
                throw f.error("rope_scaling", "fields 'rope_scaling' and 'rope_parameters' are both set; HF reads "
                        + "one or the other");
            }
            double inner = parameters.number("rope_theta", theta);
            if (f.has("rope_theta") && inner != theta) {
                throw f.error("rope_theta", "fields 'rope_theta' = " + theta + " and 'rope_parameters.rope_theta' = "
                        + inner + " disagree; HF reads them as one setting");
            }
            theta = inner;
            scaling = parameters;
        }
        return Positional.rope(theta).withPairing(pairing).withScaling(scaling(f, scaling, maxPositions,
                deepSeekMscale));
    }

    /** The object holding the scaling settings: rope_parameters in newer files, else rope_scaling (null: none). */
    static ConfigFields scalingFields(ConfigFields f) {
        ConfigFields parameters = f.nested("rope_parameters");
        return parameters != null ? parameters : f.nested("rope_scaling");
    }

    private static RopeScaling scaling(ConfigFields f, ConfigFields s, int maxPositions, boolean deepSeekMscale) {
        if (s == null) {
            return RopeScaling.none();
        }
        String type = s.text("rope_type", "default", "type");
        return switch (type) {
            case "default" -> RopeScaling.none();
            case "linear" -> RopeScaling.linear(factor(s));
            case "dynamic" -> RopeScaling.ntkAware(factor(s));
            case "yarn" -> yarn(s, maxPositions, deepSeekMscale);
            case "llama3" -> new RopeScaling.Llama3(factor(s), s.number("low_freq_factor", 1),
                    s.number("high_freq_factor", 4), s.optionalSize("original_max_position_embeddings", 8192));
            case "longrope", "su" -> longRope(f, s, maxPositions);
            default -> throw s.error("rope_type", "field '" + s.qualified("rope_type") + "' = \"" + type + "\" has no "
                    + "llmgraph equivalent; llmgraph scales RoPE with linear, dynamic (NTK-aware), yarn, llama3 or "
                    + "longrope");
        };
    }

    private static RopeScaling.LongRope longRope(ConfigFields f, ConfigFields s, int maxPositions) {
        List<Double> shortFactors = factors(s, "short_factor");
        List<Double> longFactors = factors(s, "long_factor");
        Integer inScaling = s.optionalInt("original_max_position_embeddings");
        Integer original = inScaling != null ? inScaling : f.optionalInt("original_max_position_embeddings");
        int trained = original != null ? original : maxPositions;
        if (trained < 1) {
            throw s.error("original_max_position_embeddings", "field 'original_max_position_embeddings' = " + trained
                    + " must be at least 1");
        }
        double extension = original != null ? (double) maxPositions / trained : s.number("factor", 1);
        double attention = s.number("attention_factor",
                RopeScaling.LongRope.paperAttentionFactor(extension, trained));
        return new RopeScaling.LongRope(shortFactors, longFactors, trained, attention);
    }

    private static List<Double> factors(ConfigFields s, String field) {
        List<Double> factors = s.numbers(field);
        if (factors == null) {
            throw s.error(field, "field '" + s.qualified(field) + "' is missing; LongRoPE divides each rotated pair's "
                    + "frequency by one of its factors");
        }
        return factors;
    }

    private static double factor(ConfigFields s) {
        if (!s.has("factor")) {
            throw s.error("factor", "field '" + s.qualified("factor") + "' is missing; it sets the context extension");
        }
        return s.number("factor", 1);
    }

    private static RopeScaling yarn(ConfigFields s, int maxPositions, boolean deepSeekMscale) {
        double factor = factor(s);
        RopeScaling.Yarn yarn = new RopeScaling.Yarn(factor, s.optionalSize("original_max_position_embeddings",
                maxPositions), s.number("beta_fast", 32), s.number("beta_slow", 1));
        if (s.has("attention_factor")) {
            double given = s.number("attention_factor", 0);
            if (Math.abs(given - yarn.attentionFactor()) > 1e-9) {
                throw s.error("attention_factor", "field '" + s.qualified("attention_factor") + "' = " + given
                        + " has no llmgraph equivalent; llmgraph's YaRN uses 0.1 ln(factor) + 1 = "
                        + yarn.attentionFactor());
            }
        }
        for (String deepseek : new String[] {"mscale", "mscale_all_dim"}) {
            if (s.has(deepseek) && !deepSeekMscale) {
                throw s.error(deepseek, "field '" + s.qualified(deepseek) + "' has no llmgraph equivalent; llmgraph's "
                        + "YaRN uses 0.1 ln(factor) + 1 as its attention factor");
            }
        }
        return yarn;
    }

    /**
     * {@code partial_rotary_factor}: the spec's share, or, where a head's share floors to an odd count (a head of 8
     * at Phi-2's 0.4: 3), the share of the even count llmgraph rotates (2 of 8: 0.25), since Hugging Face rotates
     * int(share * head) dimensions and fails on an odd count, and llama.cpp's converter reads the same count.
     */
    static double partialRotaryFactor(Positional.Rope rope, int headDim) {
        int floored = (int) Math.floor(headDim * rope.fraction());
        return floored == rope.rotatedDims(headDim) ? rope.fraction() : rope.rotatedDims(headDim) / (double) headDim;
    }

    /**
     * Writes {@code rope_theta} and {@code rope_scaling} ("type" is the key every HF version reads) of a model that
     * runs {@code contextLength} positions (max_position_embeddings).
     */
    static void write(Positional.Rope rope, int contextLength, ObjectNode out) {
        out.put("rope_theta", rope.theta());
        switch (rope.scaling()) {
            case RopeScaling.None none -> out.putNull("rope_scaling");
            case RopeScaling.Linear linear -> out.putObject("rope_scaling").put("type", "linear")
                    .put("factor", linear.factor());
            case RopeScaling.NtkAware ntk -> out.putObject("rope_scaling").put("type", "dynamic")
                    .put("factor", ntk.factor());
            case RopeScaling.Yarn yarn -> out.putObject("rope_scaling").put("type", "yarn")
                    .put("factor", yarn.factor())
                    .put("original_max_position_embeddings", yarn.trainedContext())
                    .put("beta_fast", yarn.betaFast())
                    .put("beta_slow", yarn.betaSlow());
            // "rope_type": every HF version that knows llama3 reads it
            case RopeScaling.Llama3 llama3 -> out.putObject("rope_scaling").put("rope_type", "llama3")
                    .put("factor", llama3.factor())
                    .put("low_freq_factor", llama3.lowFreqFactor())
                    .put("high_freq_factor", llama3.highFreqFactor())
                    .put("original_max_position_embeddings", llama3.trainedContext());
            case RopeScaling.LongRope longRope -> writeLongRope(longRope, contextLength, out);
        }
    }

    /**
     * LongRoPE as Phi3Config has it: the trained context at the top level, the attention factor only where it is not
     * the one HF computes from the two contexts. llama.cpp's converter always derives that one and passes over
     * {@code attention_factor}, so a checkpoint with another converts to another model (tools/converter-check).
     */
    private static void writeLongRope(RopeScaling.LongRope longRope, int contextLength, ObjectNode out) {
        ObjectNode scaling = out.putObject("rope_scaling").put("type", "longrope");
        longRope.shortFactors().forEach(scaling.putArray("short_factor")::add);
        longRope.longFactors().forEach(scaling.putArray("long_factor")::add);
        if (!longRope.hasPaperAttentionFactor(contextLength)) {
            scaling.put("attention_factor", longRope.attentionFactor());
        }
        out.put("original_max_position_embeddings", longRope.trainedContext());
    }
}
