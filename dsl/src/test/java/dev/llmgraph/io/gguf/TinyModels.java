package dev.llmgraph.io.gguf;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.SlidingWindow;
import dev.llmgraph.spec.Transformer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tiny specs for every llama.cpp architecture llmgraph maps (2 layers, dModel 64, a vocabulary of 300 so that
 * the byte tokens fit), labelled "architecture" or "architecture, variant": together they use every feature
 * the architectures have (GQA and MQA, optional biases, partial RoPE, RoPE scaling (YaRN, NTK-aware, Llama 3, LongRoPE),
 * ALiBi with a head count that is not a power of two, sliding windows, soft-caps, routed and shared experts,
 * QK-norm over whole projections and per head). Row lengths are multiples of 32 so that every matrix can be Q8_0 or Q4_0.
 */
final class TinyModels {
    static final int VOCAB = 300;

    private TinyModels() {}

    private static ModelBuilder base(String name) {
        return Transformer.causalDecoder(name).vocabSize(VOCAB).dModel(64).layers(2).contextLength(64);
    }

    /** The llama.cpp architecture a label names (its first word). */
    static String architecture(String label) {
        return label.split(",")[0];
    }

    /** A file name for a label. */
    static String fileName(String label) {
        return label.replaceAll("[^A-Za-z0-9]+", "-");
    }

    /** Label to spec. */
    static Map<String, ModelSpec> all() {
        Map<String, ModelSpec> all = new LinkedHashMap<>();
        all.put("llama", base("tiny-llama")
                .attention(Attention.grouped(4, 2))
                .positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .build());
        all.put("llama, biases, YaRN", base("tiny-llama-yarn")
                .attention(Attention.grouped(4, 2).withBias(true))
                .positional(Positional.rope(10_000).withScaling(RopeScaling.yarn(4, 16)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96).withBias(true))
                .build());
        // Llama 3's ramp over 8 pairs of 16 dimensions, trained on 64 positions: pair 0 kept, pairs 1 and 2 blended,
        // pairs 3 to 7 divided by 8
        all.put("llama, Llama 3 RoPE", base("tiny-llama3")
                .attention(Attention.grouped(4, 2))
                .positional(Positional.rope(10_000).withScaling(RopeScaling.llama3(8, 64)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .build());
        all.put("llama, NTK-aware, tied", base("tiny-llama-ntk")
                .attention(Attention.multiQuery(4))
                .positional(Positional.rope(10_000).withScaling(RopeScaling.ntkAware(4)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .tiedEmbeddings(true)
                .build());
        all.put("gpt2", base("tiny-gpt2")
                .attention(Attention.multiHead(4).withBias(true))
                .positional(Positional.learned())
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(128, Activation.GELU_TANH))
                .tiedEmbeddings(true)
                .build());
        all.put("bloom", base("tiny-bloom")
                .attention(Attention.multiHead(4).withBias(true))
                .positional(Positional.alibi())
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(128, Activation.GELU_TANH))
                .embeddings(Embeddings.tiedWeights().withLayerNorm(true))
                .build());
        all.put("bloom, 6 heads", base("tiny-bloom-6").dModel(96)
                .attention(Attention.multiHead(6).withBias(true))
                .positional(Positional.alibi())
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(128, Activation.GELU_TANH))
                .embeddings(Embeddings.tiedWeights().withLayerNorm(true))
                .build());
        all.put("falcon", base("tiny-falcon")
                .attention(Attention.multiQuery(4))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(128, Activation.GELU_TANH).withBias(false))
                .parallelBlock(true)
                .tiedEmbeddings(true)
                .build());
        all.put("falcon, GQA, untied", base("tiny-falcon-gqa")
                .attention(Attention.grouped(4, 2))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(128, Activation.GELU_TANH).withBias(false))
                .parallelBlock(true)
                .build());
        all.put("qwen2", base("tiny-qwen2")
                .attention(Attention.grouped(4, 2).withBias(true, false))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(160))
                .tiedEmbeddings(true)
                .build());
        // heads of 32 in a width of 64, as Qwen3-0.6B's 16 heads of 128 in 1024: attention wider than the stream
        all.put("qwen3", base("tiny-qwen3")
                .attention(Attention.grouped(4, 2).withHeadDim(32).withQkNorm(QkNorm.PER_HEAD))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .tiedEmbeddings(true)
                .build());
        all.put("chatglm", base("tiny-chatglm")
                .attention(Attention.grouped(4, 2).withBias(true, false))
                .positional(Positional.rope(10_000).withFraction(0.5))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .build());
        all.put("gemma2", base("tiny-gemma2")
                .attention(Attention.grouped(4, 2).withHeadDim(32)
                        .withSlidingWindow(SlidingWindow.withGlobalEvery(8, 2)).withLogitSoftcap(5))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.SANDWICH)
                .ffn(Ffn.geglu(128))
                .embeddings(Embeddings.tiedWeights().withScale(Math.sqrt(64)))
                .finalLogitSoftcap(10)
                .build());
        all.put("gemma2, full attention", base("tiny-gemma2-full")
                .attention(Attention.grouped(4, 1).withLogitSoftcap(50))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES).withFraction(0.5))
                .norm(Norm.rms(1e-6), NormPlacement.SANDWICH)
                .ffn(Ffn.geglu(128))
                .embeddings(Embeddings.tiedWeights().withScale(Math.sqrt(64)))
                .finalLogitSoftcap(30)
                .build());
        // Phi-2's form: one LayerNorm feeding attention and the MLP in parallel, RoPE on the first quarter of each
        // head, biases everywhere (the logits' too), q scaled before q.k
        all.put("phi2", base("tiny-phi2")
                .attention(Attention.multiHead(4).withBias(true, true).withScaledQueries(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES).withFraction(0.25))
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .parallelBlock(true)
                .ffn(new Ffn(Activation.GELU_TANH, false, 128, true))
                .embeddings(Embeddings.untied().withOutputBias(true))
                .build());
        // Phi-3's form: LLaMA's block with RoPE on halves, q scaled before q.k (written with q, k and v fused, gate
        // and up fused). Not named "phi3": llama.cpp gives the tokens "</s>", "<unk>", "<s>" and "<|endoftext|>" of a
        // model whose general.name holds "phi3" or "phi-3" Phi-3's attributes, and the byte vocabulary has none.
        all.put("phi3", base("tiny-phi")
                .attention(Attention.grouped(4, 2).withScaledQueries(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .build());
        // Phi-3-128k's LongRoPE within its trained context: trained on 256 positions and run on 64 (llama.cpp rounds its
        // context up to 256, still not beyond), so both divide by the short factors; cos and sin times 1.19 as Phi-3's
        all.put("phi3, LongRoPE short", base("tiny-phi-longrope-short")
                .attention(Attention.grouped(4, 2).withScaledQueries(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES).withScaling(
                        new RopeScaling.LongRope(factors(8, 1.05, 3.05), factors(8, 1.1, 64), 256, 1.19)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .build());
        // Phi-4-mini's form: LongRoPE over 3/4 of each head (6 pairs), one K/V head per 4 (as its 24 over 8 are one per
        // 3), tied embeddings; trained on 32 positions and run on 64, so the long factors, cos and sin times
        // sqrt(1 + ln 2 / ln 32)
        all.put("phi3, LongRoPE long", base("tiny-phi-longrope-long")
                .attention(Attention.grouped(4, 1).withScaledQueries(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES).withFraction(0.75).withScaling(
                        RopeScaling.longRope(factors(6, 1.0, 2.5), factors(6, 1.2, 40), 32, 64)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .tiedEmbeddings(true)
                .build());
        // llama.cpp's llama graph reads LongRoPE's factors too
        all.put("llama, LongRoPE", base("tiny-llama-longrope")
                .attention(Attention.grouped(4, 2))
                .positional(Positional.rope(10_000).withScaling(
                        RopeScaling.longRope(factors(8, 1.0, 2.0), factors(8, 1.5, 50), 16, 64)))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .build());
        // Gemma 3's form: q and k normed per head, q scaled before q.k, layer 0 slides and rotates with its own base unscaled, layer 1
        // attends to everything and rotates with the global base, scaled (as Gemma 3 4B and up); its own output head.
        all.put("gemma3", base("tiny-gemma3")
                .attention(Attention.grouped(4, 2).withHeadDim(32).withQkNorm(QkNorm.PER_HEAD).withScaledQueries(true)
                        .withSlidingWindow(SlidingWindow.withGlobalEvery(8, 2)))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES)
                        .withScaling(RopeScaling.linear(4)).withSlidingTheta(10_000))
                .norm(Norm.rms(1e-6), NormPlacement.SANDWICH)
                .ffn(Ffn.geglu(128))
                .embeddings(Embeddings.untied().withScale(Math.sqrt(64)))
                .build());
        // Mixtral's form: every layer routes each token to 2 of 4 SwiGLU experts, weights renormalised.
        all.put("llama, 4 experts top-2", base("tiny-mixtral")
                .attention(Attention.grouped(4, 2))
                .positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .moe(Moe.of(4, 2, Ffn.swiglu(64)))
                .build());
        // Qwen1.5-MoE's form: 2 of 8 experts without renormalising, plus 2 shared experts behind a sigmoid gate.
        all.put("qwen2moe", base("tiny-qwen2moe")
                .attention(Attention.grouped(4, 2).withBias(true, false))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .moe(Moe.of(8, 2, Ffn.swiglu(32)).withRouter(Router.softmax())
                        .withShared(SharedExperts.of(2, 32).withSigmoidGate(true)))
                .build());
        // OLMoE's form: q and k RMS-normalised over the whole projection, 2 of 8 SwiGLU experts by softmax, as they are.
        all.put("olmoe", base("tiny-olmoe")
                .attention(Attention.multiHead(4).withQkNorm(QkNorm.WHOLE_WIDTH))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .moe(Moe.of(8, 2, Ffn.swiglu(64)).withRouter(Router.softmax()))
                .build());
        // Qwen3-30B-A3B's form: Qwen3's attention (per-head QK-norm, heads of 32 in a width of 64), then 2 of 8 SwiGLU
        // experts of their own width (feed_forward_length is the unused dense FFN's), weights renormalised.
        all.put("qwen3moe", base("tiny-qwen3moe")
                .attention(Attention.grouped(4, 2).withHeadDim(32).withQkNorm(QkNorm.PER_HEAD))
                .positional(Positional.rope(1_000_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .moe(Moe.of(8, 2, Ffn.swiglu(32)))
                .build());
        // DeepSeek-V2-Lite's form: MLA with queries projected directly, the first layer dense, then 2 of 8 SwiGLU
        // experts by softmax without renormalising, plus 2 shared experts as wide as the routed ones.
        all.put("deepseek2", base("tiny-deepseek2-lite")
                .latentAttention(LatentAttention.of(4, 32).withHeadDims(32, 16, 16))
                .positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .moe(Moe.of(8, 2, Ffn.swiglu(32)).withRouter(Router.softmax()).withShared(SharedExperts.of(2, 32))
                        .withDenseLayers(1))
                .build());
        // DeepSeek-V2's form: a low-rank query, YaRN with DeepSeek's mscale, weights renormalised and scaled.
        all.put("deepseek2, q low-rank, YaRN", base("tiny-deepseek2")
                .latentAttention(LatentAttention.of(4, 32).withHeadDims(32, 16, 16).withQueryRank(32)
                        .withYarnMscale(0.707))
                .positional(Positional.rope(10_000).withScaling(RopeScaling.yarn(4, 16)))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .moe(Moe.of(8, 2, Ffn.swiglu(32)).withRouter(Router.softmaxRenormalised().withScale(2.5))
                        .withShared(SharedExperts.of(1, 32)))
                .build());
        // Group-limited routing as llama.cpp computes it: 8 experts in 4 groups of 2, each token keeps the 2 groups
        // whose two best experts sum highest, then its top 2 inside them; both layers route.
        all.put("deepseek2, expert groups", base("tiny-deepseek2-groups")
                .latentAttention(LatentAttention.of(4, 32).withHeadDims(32, 16, 16))
                .positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .moe(Moe.of(8, 2, Ffn.swiglu(32)).withRouter(Router.softmax().withGroups(ExpertGroups.of(4, 2)))
                        .withShared(SharedExperts.of(1, 32)))
                .build());
        return all;
    }

    /**
     * The spec a file written for {@code spec} reads back as: heads written out, NTK-aware RoPE as its raised
     * base (an f32 key), and Gemma 2's full attention as a window as long as the context.
     */
    static ModelSpec asWritten(ModelSpec spec) {
        ModelSpec out = spec.withAttention(spec.attention().withHeadDim(spec.headDim()));
        if (out.positional() instanceof Positional.Rope rope && rope.scaling() instanceof RopeScaling.NtkAware) {
            double base = Double.parseDouble(Float.toString((float) rope.effectiveTheta(spec.headDim())));
            out = out.withPositional(rope.withTheta(base).withScaling(RopeScaling.none()));
        }
        if (GgufReport.of(spec).architecture().orElse("").equals("gemma2") && spec.attention().window() == null) {
            out = out.withAttention(out.attention().withSlidingWindow(new SlidingWindow(spec.contextLength(), 2)));
        }
        return out;
    }

    /** {@code count} LongRoPE factors rising geometrically from {@code first} to {@code last}, as searched ones do. */
    static List<Double> factors(int count, double first, double last) {
        List<Double> factors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            factors.add(first * Math.pow(last / first, (double) i / (count - 1)));
        }
        return factors;
    }

    /** A prompt of {@code length} token ids spread over the vocabulary. */
    static int[] prompt(int length) {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = (int) ((i * 97L + 13) % VOCAB);
        }
        return tokens;
    }

}
