package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.WeightRole;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An encoder-decoder as data: the plan of each stack (as any encoder's and decoder's), the cross-attention weights
 * of each decoder block, and where every weight is stored. Storage uses llama.cpp's {@code t5} names, so that a
 * GGUF file is written and read without renaming:
 * <pre>
 *  token_embd.weight                 shared by both stacks (and the tied head)
 *  enc.blk.i.attn_{norm,q,k,v,o}     enc.blk.0.attn_rel_b   enc.blk.i.ffn_{norm,up,gate,down}   enc.output_norm
 *  dec.blk.i.attn_{norm,q,k,v,o}     dec.blk.0.attn_rel_b   dec.blk.i.ffn_{norm,up,gate,down}   dec.output_norm
 *  dec.blk.i.cross_attn_{norm,q,k,v,o}                      output (untied head)
 * </pre>
 * A stack's own plan speaks of {@code blk.i.attn_output.weight}, {@code output_norm.weight}: {@link #stored} maps
 * those names to the stored ones.
 *
 * @param encoder the encoder stack's plan
 * @param decoder the decoder stack's plan (without cross-attention)
 * @param cross   per decoder layer, its cross-attention weights: norm, q, k, v, o
 */
public record EncoderDecoderPlan(Plan encoder, Plan decoder, List<List<Weight>> cross) {
    public static final String ENCODER = "enc.";
    public static final String DECODER = "dec.";

    public EncoderDecoderPlan {
        cross = cross.stream().map(List::copyOf).toList();
    }

    public static EncoderDecoderPlan of(EncoderDecoderSpec s) {
        List<List<Weight>> cross = new ArrayList<>();
        long d = s.dModel(), inner = (long) s.heads() * s.headDim();
        for (int i = 0; i < s.decoderLayers(); i++) {
            String b = DECODER + "blk." + i + ".cross_attn_";
            String c = "cross-attention";
            cross.add(List.of(new Weight(b + "norm.weight", new long[] {d}, WeightRole.NORM_GAIN, c),
                    new Weight(b + "q.weight", new long[] {d, inner}, WeightRole.PROJECTION, c),
                    new Weight(b + "k.weight", new long[] {d, inner}, WeightRole.PROJECTION, c),
                    new Weight(b + "v.weight", new long[] {d, inner}, WeightRole.BRANCH_PROJECTION, c),
                    new Weight(b + "o.weight", new long[] {inner, d}, WeightRole.BRANCH_OUTPUT, c)));
        }
        return new EncoderDecoderPlan(s.encoder().plan(), s.decoder().plan(), cross);
    }

    /**
     * The stored name of the weight a stack's plan calls {@code planName}: the token embedding and the untied head
     * keep theirs, everything else gets the stack's prefix ({@link #ENCODER} or {@link #DECODER}), and the attention
     * output projection is llama.cpp's {@code attn_o}.
     */
    public static String stored(String stack, String planName) {
        if (planName.equals("token_embd.weight") || planName.equals("output.weight")) {
            return planName;
        }
        return stack + planName.replace(".attn_output.", ".attn_o.");
    }

    /** For one stack, each plan name mapped to its stored name. */
    public Map<String, String> storedNames(String stack) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Weight w : (stack.equals(ENCODER) ? encoder : decoder).weights()) {
            names.put(w.name(), stored(stack, w.name()));
        }
        return names;
    }

    /**
     * Every weight under its stored name, in storage order: the token embedding, the encoder's, then each decoder
     * block with its cross-attention between self-attention and the FFN, the decoder's final norm and head.
     */
    public List<Weight> weights() {
        List<Weight> out = new ArrayList<>();
        for (Weight w : encoder.weights()) {
            out.add(renamed(ENCODER, w));
        }
        List<Weight> decoderWeights = decoder.weights();
        int layer = 0;
        for (Weight w : decoderWeights) {
            if (w.name().equals("token_embd.weight")) {
                continue; // shared: stored once, with the encoder's
            }
            if (layer < cross.size() && w.name().equals("blk." + layer + ".ffn_norm.weight")) {
                out.addAll(cross.get(layer++));
            }
            out.add(renamed(DECODER, w));
        }
        return List.copyOf(out);
    }

    private static Weight renamed(String stack, Weight w) {
        return new Weight(stored(stack, w.name()), w.ne(), w.role(), w.component());
    }
}
