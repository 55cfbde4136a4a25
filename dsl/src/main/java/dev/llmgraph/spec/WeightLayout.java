package dev.llmgraph.spec;

import dev.llmgraph.ggml.GgmlType;

import java.util.ArrayList;
import java.util.List;

/**
 * Every learned tensor of a spec, with llama.cpp's GGUF tensor names and shapes in ggml order
 * ({@code ne[0]} first: a projection from dModel to n is {@code [dModel, n]}). Lowering allocates exactly
 * these; GGUF and safetensors I/O map them by name.
 */
public final class WeightLayout {
    /**
     * @param name      e.g. {@code blk.3.attn_q.weight}
     * @param ne        sizes in ggml order
     * @param role      what the tensor does (an embedding, a norm gain, a projection, ...)
     * @param component the accounting group: token embedding, positional, attention, ffn, norms, output head
     */
    public record Weight(String name, long[] ne, WeightRole role, String component) {
        /** A 2-d weight a token is multiplied by (may be quantized); see {@link WeightRole#matrix()}. */
        public boolean matrix() {
            return role.matrix();
        }

        public long elements() {
            long n = 1;
            for (long x : ne) {
                n *= x;
            }
            return n;
        }

        /** The type this weight is stored in when matrices are asked for in {@code matrixType}. */
        public GgmlType storageType(GgmlType matrixType) {
            return WeightLayout.storageType(matrix(), ne[0], matrixType);
        }

        /** The shape in the paper's order (rows first), for display. */
        public String paperShape() {
            return ne.length == 1 ? "[" + ne[0] + "]" : "[" + ne[1] + ", " + ne[0] + "]";
        }

        /** E.g. {@code blk.0.attn_q.weight [4096, 4096] (attention)}, the shape in the paper's order. */
        @Override
        public String toString() {
            return name + " " + paperShape() + " (" + component + ")";
        }
    }

    private WeightLayout() {}

    /**
     * How llmgraph (and its GGUF export) stores a tensor when matrices are asked for in {@code matrixType}:
     * vectors (norms, biases, small tables) in F32, as llama.cpp keeps them; a matrix in {@code matrixType}
     * when its rows of {@code rowLength} fill whole blocks of it, else in F16.
     */
    public static GgmlType storageType(boolean matrix, long rowLength, GgmlType matrixType) {
        if (!matrix) {
            return GgmlType.F32;
        }
        return rowLength % matrixType.blockSize() == 0 ? matrixType : GgmlType.F16;
    }

    public static List<Weight> of(ModelSpec s) {
        List<Weight> out = new ArrayList<>();
        int d = s.dModel();
        long hd = s.headDim();
        long q = s.heads() * hd, kv = s.kvHeads() * hd;
        out.add(new Weight("token_embd.weight", new long[] {d, s.vocabSize()}, WeightRole.TOKEN_EMBEDDING,
                "token embedding"));
        // A position table belongs with the embeddings, before their norm; a bias table with the blocks, after it.
        List<Weight> positional = positionalWeights(s);
        positional.stream().filter(w -> w.role() == WeightRole.POSITION_EMBEDDING).forEach(out::add);
        if (s.embeddings().layerNorm()) {
            norm(out, "token_embd_norm", d, s.norm(), "embedding norm");
        }
        positional.stream().filter(w -> w.role() != WeightRole.POSITION_EMBEDDING).forEach(out::add);
        Attention a = s.attention();
        Ffn f = s.ffn();
        for (int i = 0; i < s.layers(); i++) {
            String b = "blk." + i + ".";
            norm(out, b + "attn_norm", d, s.norm(), "block norms");
            matrix(out, b + "attn_q", d, q, a.qkvBias(), WeightRole.PROJECTION, "attention");
            matrix(out, b + "attn_k", d, kv, a.qkvBias(), WeightRole.PROJECTION, "attention");
            matrix(out, b + "attn_v", d, kv, a.qkvBias(), WeightRole.BRANCH_PROJECTION, "attention");
            if (a.qkNorm()) {
                out.add(new Weight(b + "attn_q_norm.weight", new long[] {hd}, WeightRole.NORM_GAIN, "attention"));
                out.add(new Weight(b + "attn_k_norm.weight", new long[] {hd}, WeightRole.NORM_GAIN, "attention"));
            }
            matrix(out, b + "attn_output", q, d, a.outBias(), WeightRole.BRANCH_OUTPUT, "attention");
            if (s.placement() == NormPlacement.SANDWICH) {
                norm(out, b + "attn_post_norm", d, s.norm(), "block norms");
            }
            if (!s.parallelBlock()) {
                norm(out, b + "ffn_norm", d, s.norm(), "block norms");
            }
            if (f.gated()) {
                matrix(out, b + "ffn_gate", d, f.width(), f.bias(), WeightRole.BRANCH_PROJECTION, "ffn");
            }
            matrix(out, b + "ffn_up", d, f.width(), f.bias(), WeightRole.BRANCH_PROJECTION, "ffn");
            matrix(out, b + "ffn_down", f.width(), d, f.bias(), WeightRole.BRANCH_OUTPUT, "ffn");
            if (s.placement() == NormPlacement.SANDWICH) {
                norm(out, b + "ffn_post_norm", d, s.norm(), "block norms");
            }
        }
        if (s.finalNorm()) {
            norm(out, "output_norm", d, s.norm(), "final norm");
        }
        if (!s.tiedEmbeddings()) {
            out.add(new Weight("output.weight", new long[] {d, s.vocabSize()}, WeightRole.PROJECTION, "output head"));
        }
        return out;
    }

    /** The learned tensors of the positional scheme (RoPE, ALiBi and the fixed sinusoidal table have none). */
    private static List<Weight> positionalWeights(ModelSpec s) {
        return switch (s.positional()) {
            case Positional.Learned _ -> List.of(new Weight("position_embd.weight",
                    new long[] {s.dModel(), s.contextLength()}, WeightRole.POSITION_EMBEDDING, "positional"));
            // T5 shares one bias table across layers; llama.cpp keeps it in block 0.
            case Positional.T5Bias t5 -> List.of(new Weight("blk.0.attn_rel_b.weight",
                    new long[] {s.heads(), t5.buckets()}, WeightRole.RELATIVE_POSITION_BIAS, "positional"));
            case Positional.None _, Positional.Sinusoidal _, Positional.Rope _, Positional.Alibi _ -> List.of();
        };
    }

    private static void matrix(List<Weight> out, String base, long in, long outDim, boolean bias, WeightRole role,
                               String component) {
        out.add(new Weight(base + ".weight", new long[] {in, outDim}, role, component));
        if (bias) {
            out.add(new Weight(base + ".bias", new long[] {outDim}, WeightRole.BIAS, component));
        }
    }

    private static void norm(List<Weight> out, String base, long d, Norm norm, String component) {
        switch (norm) {
            case Norm.LayerNorm ln -> {
                out.add(new Weight(base + ".weight", new long[] {d}, WeightRole.NORM_GAIN, component));
                if (ln.bias()) {
                    out.add(new Weight(base + ".bias", new long[] {d}, WeightRole.NORM_BIAS, component));
                }
            }
            case Norm.RmsNorm rms -> out.add(new Weight(base + ".weight", new long[] {d}, WeightRole.NORM_GAIN,
                    component));
            case Norm.SimpleRmsNorm simple -> { }
        }
    }
}
