package dev.llmgraph.learn;

import dev.llmgraph.model.Placement;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.presets.EncoderPresets;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeTrainer;
import dev.llmgraph.tokenize.UnigramTokenizer;

import java.util.List;

/**
 * The exercises at the end of the tutorial notebooks, by notebook and number: {@code ex02_3()} is the third
 * exercise of notebook 02. Every answer is computed by llmgraph from a preset, a formula of the spec or the
 * accounting, never written down, so a change in llmgraph that breaks an answer breaks its unit test.
 * <pre>{@code
 * Exercises.ex01_1()                 // shows the question
 * Exercises.ex01_1().check(12345)    // right, or not quite with a hint
 * }</pre>
 */
public final class Exercises {
    /** The context of exercise 01.2's prefix mask. */
    static final int PREFIX_MASK_LENGTH = 16;
    static final int PREFIX_MASK_PREFIX = 6;

    private Exercises() {}

    /** Every exercise, in notebook order. */
    public static List<Exercise> all() {
        return List.of(ex01_1(), ex01_2(), ex01_3(), ex02_1(), ex02_2(), ex02_3(), ex03_1(), ex03_2(), ex03_3(),
                ex04_1(), ex04_2(), ex04_3(), ex05_1(), ex05_2(), ex05_3(), ex06_1(), ex06_2(), ex06_3(), ex07_1(), ex07_2(),
                ex07_3(), ex09_1(), ex09_2(), ex09_3(), ex10_1(), ex10_2(), ex10_3());
    }

    // ---- 01 Declare your first LLM ---------------------------------------------------------------------

    /** Parameters of one attention block of LLaMA-2-7B. */
    public static Exercise ex01_1() {
        return new Exercise("01.1",
                "How many learned parameters does ONE attention block of LLaMA-2-7B have (the q, k, v and output "
                        + "projections of a single layer)?",
                () -> {
                    ModelSpec llama = Presets.llama2_7b();
                    return llama.attention().parameters(llama.dModel());
                }, 0,
                "LLaMA-2-7B uses multi-head attention without biases, so each of the four projections is a "
                        + "dModel x dModel matrix. Read dModel from Presets.llama2_7b(), or divide the 'attention' "
                        + "component of its parameter count by the number of layers.");
    }

    /** Visible (query, key) pairs of a prefix mask. */
    public static Exercise ex01_2() {
        return new Exercise("01.2",
                "A prefix decoder reads " + PREFIX_MASK_LENGTH + " positions of which the first " + PREFIX_MASK_PREFIX
                        + " are the prefix. How many (query, key) pairs does its attention mask let through?",
                () -> {
                    int visible = 0;
                    for (int q = 0; q < PREFIX_MASK_LENGTH; q++) {
                        for (int k = 0; k < PREFIX_MASK_LENGTH; k++) {
                            visible += MaskKind.PREFIX.visible(q, k, PREFIX_MASK_PREFIX, 0) ? 1 : 0;
                        }
                    }
                    return visible;
                }, 0,
                "Count in two parts: inside the prefix every query sees every prefix key (a full square); after it "
                        + "each query q sees keys 0 to q, as in a causal mask. Heatmaps.mask(MaskKind.PREFIX, "
                        + PREFIX_MASK_LENGTH + ", " + PREFIX_MASK_PREFIX + ", 0) draws the mask.");
    }

    /** LLaMA-2-7B's parameters with tied embeddings. */
    public static Exercise ex01_3() {
        return new Exercise("01.3",
                "If LLaMA-2-7B tied its output head to its token embedding (as GPT-2 and BLOOM do), how many "
                        + "parameters would it have in total?",
                () -> Presets.llama2_7b().withTiedEmbeddings(true).parameterCount(), 0,
                "Tying removes the output head's own vocabSize x dModel matrix: the head reuses the token "
                        + "embedding. Start from the total in the table and subtract that matrix, or let a spec "
                        + "with tiedEmbeddings(true) count for you.");
    }

    // ---- 02 Positional encodings -----------------------------------------------------------------------

    /** Wavelength of LLaMA-2's slowest RoPE pair. */
    public static Exercise ex02_1() {
        return new Exercise("02.1",
                "LLaMA-2 applies RoPE with base theta = 10000 to heads of 128 dimensions (64 pairs). How many "
                        + "positions does its SLOWEST pair need for one full turn (its wavelength)? Within 1%.",
                () -> {
                    ModelSpec llama = Presets.llama2_7b();
                    Positional.Rope rope = (Positional.Rope) llama.positional();
                    int pairs = rope.rotatedDims(llama.headDim()) / 2;
                    return 2 * Math.PI / rope.frequency(pairs - 1, llama.headDim());
                }, 0.01,
                "Pair i turns by theta^(-2i/d) radians per position, with d = 128 rotated dimensions; the slowest "
                        + "pair is the last one, i = d/2 - 1. One turn is 2 pi radians.");
    }

    /** NTK-aware RoPE's raised base. */
    public static Exercise ex02_2() {
        return new Exercise("02.2",
                "NTK-aware scaling stretches RoPE's context 4 times by raising its base instead of dividing "
                        + "positions. For heads of 128 dimensions and theta = 10000, what base does RoPE use "
                        + "then? Within 0.5%.",
                () -> Positional.rope(10_000).withScaling(RopeScaling.ntkAware(4)).effectiveTheta(128), 0.005,
                "The new base is theta x s^(d / (d - 2)) for a factor s and d rotated dimensions: it is chosen so "
                        + "that the slowest pair turns s times slower while the fastest pair hardly changes.");
    }

    /** ALiBi's bias for BLOOM's first head. */
    public static Exercise ex02_3() {
        return new Exercise("02.3",
                "BLOOM-560m uses ALiBi with 16 heads. What does head 0 add to the attention logit of a key that "
                        + "lies 10 positions before the query? Within 0.1%.",
                () -> {
                    ModelSpec bloom = Presets.bloom560m();
                    Positional.Alibi alibi = (Positional.Alibi) bloom.positional();
                    return -alibi.slope(0, bloom.heads()) * 10;
                }, 0.001,
                "ALiBi adds -m_h x (q - k) to the logit. For H heads (a power of two) head h has slope "
                        + "m_h = 2^(-8 (h + 1) / H). Mind the sign: distant keys are penalised.");
    }

    // ---- 03 Attention variants and the KV cache --------------------------------------------------------

    /** LLaMA-3-8B's KV cache for one long sequence. */
    public static Exercise ex03_1() {
        return new Exercise("03.1",
                "How many bytes of F16 KV cache does LLaMA-3-8B need for one sequence of 8192 tokens?",
                () -> Presets.llama3_8b().accounting().kvCacheBytes(8192, GgmlType.F16), 0,
                "Per token the cache holds 2 (K and V) x kvHeads x headDim x layers values, 2 bytes each in F16. "
                        + "LLaMA-3-8B has grouped-query attention: look up its kvHeads, not its heads.");
    }

    /** How much MQA saves Falcon-7B. */
    public static Exercise ex03_2() {
        return new Exercise("03.2",
                "Falcon-7B uses multi-query attention with 71 query heads. How many times LARGER would its KV "
                        + "cache be with multi-head attention (every query head with its own K and V)?",
                () -> {
                    ModelSpec falcon = Presets.falcon7b();
                    ModelSpec mha = falcon.withAttention(falcon.attention().withHeads(falcon.heads(), falcon.heads()));
                    return (double) mha.accounting().kvCacheBytesPerToken(GgmlType.F16)
                            / falcon.accounting().kvCacheBytesPerToken(GgmlType.F16);
                }, 1e-9,
                "In the KV-cache formula only kvHeads changes between MQA and MHA; headDim and layers stay.");
    }

    /** Sequences of ChatGLM2-6B that fit a memory budget. */
    public static Exercise ex03_3() {
        return new Exercise("03.3",
                "A GPU has 24 GiB (24 x 2^30 bytes) left for the KV cache. How many sequences of 2048 tokens of "
                        + "ChatGLM2-6B (F16 cache) fit into it at once? A whole number.",
                () -> (24L << 30) / Presets.chatglm2_6b().accounting().kvCacheBytes(2048, GgmlType.F16), 0,
                "Work out the bytes of one 2048-token sequence (ChatGLM2-6B keeps only 2 K/V heads of 128 "
                        + "dimensions, over 28 layers), then divide the budget by it and round down.");
    }

    // ---- 04 Norms and activations -----------------------------------------------------------------------

    /** LLaMA's FFN width rule for a wider model. */
    public static Exercise ex04_1() {
        return new Exercise("04.1",
                "LLaMA-13B has dModel = 5120. Its SwiGLU FFN width keeps the parameters of a plain 4 x dModel MLP "
                        + "(without biases) and is then rounded UP to a multiple of 256. What is the width?",
                () -> {
                    int d = 5120;
                    long plain = Ffn.mlp(4 * d, Activation.GELU).withBias(false).parameters(d);
                    long perUnitOfWidth = Ffn.swiglu(1).parameters(d);
                    long width = (plain + perUnitOfWidth - 1) / perUnitOfWidth;
                    return (width + 255) / 256 * 256;
                }, 0,
                "A plain MLP of width 4d has 2 x d x 4d weights, a SwiGLU of width f has 3 x d x f. Setting them "
                        + "equal gives f = 8d/3; then round up to the next multiple of 256.");
    }

    /** What RMSNorm saves LLaMA-2-7B in parameters. */
    public static Exercise ex04_2() {
        return new Exercise("04.2",
                "LLaMA-2-7B uses RMSNorm. How many parameters MORE would it have with LayerNorm (weight and bias) "
                        + "in the same places?",
                () -> {
                    ModelSpec llama = Presets.llama2_7b();
                    return llama.withNorm(Norm.layer(llama.norm().eps())).parameterCount() - llama.parameterCount();
                }, 0,
                "RMSNorm has one gain vector of dModel, LayerNorm a gain and a bias. Count the norms: two per "
                        + "block (before attention, before the FFN) and the final one.");
    }

    /** DeepNet's residual weight. */
    public static Exercise ex04_3() {
        return new Exercise("04.3",
                "DeepNorm up-weights the residual: x = LN(alpha x + F(x)). What alpha does DeepNet's rule for a "
                        + "decoder-only model give a 100-layer decoder? Within 0.1%.",
                () -> NormPlacement.DEEPNORM.residualAlpha(100), 0.001,
                "For a decoder-only model of N layers DeepNet takes alpha = (2N)^(1/4) (and shrinks the "
                        + "initialisation of F by beta = (8N)^(-1/4)).");
    }
    // ---- 05 Mixture of experts and latent attention ---------------------------------------------------

    /** DeepSeek-V2's cached values per token over all layers. */
    public static Exercise ex05_1() {
        return new Exercise("05.1",
                "How many values does DeepSeek-V2 (60 layers, kv_lora_rank 512, qk_rope_head_dim 64) cache per "
                        + "token, over ALL its layers?",
                () -> Presets.deepSeekV2().accounting().kvCacheElementsPerToken(), 0,
                "MLA caches one latent c_KV of kv_lora_rank values and one RoPE key of qk_rope_head_dim values per "
                        + "token and layer, shared by all 128 heads: (d_c + d_h^R) x layers.");
    }

    /** Mixtral-8x7B's active parameters per token. */
    public static Exercise ex05_2() {
        return new Exercise("05.2",
                "How many parameters does one token of Mixtral-8x7B pass through (embedding and output head "
                        + "included), with 2 of its 8 experts per layer?",
                () -> Presets.mixtral8x7b().accounting().activeParameters().total(), 0,
                "Take the total, Presets.mixtral8x7b().parameterCount(), and subtract the 6 experts a token skips "
                        + "in each of the 32 layers: one expert is a SwiGLU FFN, 3 x 4096 x 14336 parameters.");
    }

    /** How many times smaller DeepSeek-V2's cache is than multi-head attention with 128 heads of 128. */
    public static Exercise ex05_3() {
        return new Exercise("05.3",
                "DeepSeek-V2 has 128 heads. How many times smaller is its MLA cache than an MHA cache of the same "
                        + "heads with d_h = 128 (K and V per head), per token and layer? Within 1%.",
                () -> {
                    LatentAttention mla = Presets.deepSeekV2().latent();
                    return 2.0 * mla.heads() * 128 / mla.cacheRow();
                }, 0.01,
                "MHA caches 2 n_h d_h values per token and layer; MLA caches d_c + d_h^R = 512 + 64. Divide the "
                        + "first by the second.");
    }

    // ---- 06 Beyond attention ---------------------------------------------------------------------------

    /** Mamba-130M's recurrent state per sequence. */
    public static Exercise ex06_1() {
        return new Exercise("06.1",
                "How many bytes of recurrent state does Mamba-130M keep per sequence (F32; over all 24 layers), "
                        + "whatever the context?",
                () -> Presets.byName("mamba-130m").accounting().recurrentStateBytes(), 0,
                "Per layer, the convolution keeps the last d_conv - 1 = 3 inputs of its d_inner = 2 x 768 channels, "
                        + "and the scan keeps a d_state = 16 vector per channel: (3 + 16) x 1536 floats of 4 bytes.");
    }

    /** The context at which LLaMA-2-7B's KV cache outgrows Mamba-2.8B's state. */
    public static Exercise ex06_2() {
        return new Exercise("06.2",
                "From how many tokens of context on is LLaMA-2-7B's F16 KV cache larger than Mamba-2.8B's whole "
                        + "recurrent state (F32)? Give the smallest such number of tokens.",
                () -> {
                    long state = Presets.byName("mamba-2.8b").accounting().recurrentStateBytes();
                    long perToken = Presets.llama2_7b().accounting().kvCacheBytesPerToken(GgmlType.F16);
                    return state / perToken + 1;
                }, 0,
                "Divide the state's bytes (Presets.byName(\"mamba-2.8b\").accounting().recurrentStateBytes()) by the "
                        + "KV bytes one token costs LLaMA-2-7B: 2 x 32 layers x 4096 x 2 bytes = 512 KiB.");
    }

    /** How long a decayed linear attention remembers. */
    public static Exercise ex06_3() {
        return new Exercise("06.3",
                "In a linear attention with a fixed decay of 0.95 per token, a key's weight is multiplied by 0.95 at "
                        + "every step. After how many steps has it fallen below 1% of its first value?",
                () -> (long) Math.ceil(Math.log(0.01) / Math.log(0.95)), 0,
                "Solve 0.95^n < 0.01: n > ln(0.01) / ln(0.95), and round up.");
    }

    // ---- 07 Encoders and decoders ----------------------------------------------------------------------

    /** Keys a target position sees under UniLM's sequence-to-sequence mask. */
    public static Exercise ex07_1() {
        return new Exercise("07.1",
                "UniLM's sequence-to-sequence mask over 10 tokens, of which the first 4 are the source "
                        + "(AttentionMask.sequenceToSequence(4)). How many keys does the query at position 7 see?",
                () -> {
                    int seen = 0;
                    for (int k = 0; k < 10; k++) {
                        seen += AttentionMask.sequenceToSequence(4).visible(7, k) ? 1 : 0;
                    }
                    return seen;
                }, 0,
                "A target token sees the whole source and the target up to itself, counting itself: positions 0 to 3, "
                        + "then 4 to 7. Heatmaps.mask(AttentionMask.sequenceToSequence(4), 10) draws the mask.");
    }

    /** BERT-base's encoder parameters from its config. */
    public static Exercise ex07_2() {
        return new Exercise("07.2",
                "From BERT-base-uncased's config (vocab_size 30522, hidden_size 768, num_hidden_layers 12, "
                        + "intermediate_size 3072, max_position_embeddings 512, type_vocab_size 2; biases everywhere, "
                        + "a LayerNorm after the embeddings and after each sublayer), how many parameters does the "
                        + "encoder have, without the pooler?",
                () -> EncoderPresets.bertBaseUncased().parameterCount(), 0,
                "Embeddings: (30522 + 512 + 2) x 768, plus one LayerNorm (weight and bias, 2 x 768). Per layer: "
                        + "four 768 x 768 projections with biases, the FFN 768 x 3072 + 3072 and 3072 x 768 + 768, "
                        + "two LayerNorms. Compare with EncoderPresets.bertBaseUncased().accounting().parameters().");
    }

    /** What BERT's masked-LM head adds to the encoder. */
    public static Exercise ex07_3() {
        return new Exercise("07.3",
                "BERT-base's masked-LM head ties its output matrix to the token embedding. How many parameters "
                        + "does the head add to the encoder?",
                () -> {
                    ModelSpec bert = EncoderPresets.bertBaseUncased();
                    return bert.withMaskedLmHead(true).parameterCount() - bert.parameterCount();
                }, 0,
                "The head is a 768 x 768 dense layer with its bias, a LayerNorm (weight and bias), and a bias per "
                        + "vocabulary entry (30522); the tied decoder matrix is the token embedding, already counted.");
    }

    // ---- 09 Tokenizers ---------------------------------------------------------------------------------

    /** Tokens of the classic BPE example after three merges. */
    public static Exercise ex09_1() {
        return new Exercise("09.1",
                "Byte-level BPE trained on the single word 'aaabdaaabac' with vocabSize 259 (the 256 bytes and 3 "
                        + "merges; a tie goes to the pair of lower token ids). Into how many tokens does it cut "
                        + "'aaabdaaabac'?",
                () -> BpeTrainer.train("aaabdaaabac", 259).encode("aaabdaaabac").length, 0,
                "Count the adjacent pairs, merge the most frequent everywhere, count again. The first merge is "
                        + "'a a' (4 times); after it 'a b' and the new 'aa' followed by 'a' tie at 2, and the byte "
                        + "pair has the lower ids. Write the word out after each of the 3 merges.");
    }

    /** Score of the best Unigram cutting in the worked example. */
    public static Exercise ex09_2() {
        return new Exercise("09.2",
                "A Unigram vocabulary holds the pieces ▁ (log-probability -2), a (-2), b (-2), ▁a (-3) and "
                        + "ab (-2.5). The text 'ab' reads '▁ab'. What is the log-probability of its best cutting?",
                () -> {
                    var unigram = new UnigramTokenizer(List.of("▁", "a", "b", "▁a", "ab"),
                            new float[] {-2, -2, -2, -3, -2.5f});
                    double total = 0;
                    for (int id : unigram.encode("ab")) {
                        total += unigram.score(id);
                    }
                    return total;
                }, 1e-6,
                "A cutting's log-probability is the sum of its pieces' log-probabilities. There are three "
                        + "cuttings of ▁ab into pieces of the vocabulary: ▁|a|b, ▁a|b and ▁|ab. Viterbi keeps "
                        + "the highest sum.");
    }

    /** Byte tokens of a mixed Chinese and English text. */
    public static Exercise ex09_3() {
        return new Exercise("09.3",
                "A byte-level vocabulary without a single merge (only the 256 byte tokens) encodes '鳕鱼 is cod'. "
                        + "How many tokens does it produce?",
                () -> new BpeTokenizer(List.of(), List.of()).encode("鳕鱼 is cod").length, 0,
                "Without merges every UTF-8 byte is a token. ASCII characters (letters, the space) take one byte; "
                        + "a Chinese character in the Basic Multilingual Plane takes three.");
    }

    // ---- 10 Beyond one machine -------------------------------------------------------------------------

    /** Layers llama.cpp's rule gives the second of two servers. */
    public static Exercise ex10_1() {
        return new Exercise("10.1",
                "LLaMA-2-7B (32 layers) on two RPC servers, nothing kept local, split 3:1 (--tensor-split 3,1). How many "
                        + "of the 33 placement units (32 layers and the output layer) land on the second server?",
                () -> java.util.Arrays.stream(Placement.rpc("10.0.0.2:50052", "10.0.0.3:50052").split(3, 1)
                        .assign(Presets.llama2_7b().layers(), new long[2])).filter(d -> d == 1).count(), 0,
                "Unit u goes to the first server whose cumulative share exceeds u / 33: the bounds are 0.75 and 1, so "
                        + "the second server takes every u with u / 33 >= 0.75.");
    }

    /** Bytes of activations one token carries across one device boundary. */
    public static Exercise ex10_2() {
        return new Exercise("10.2",
                "Between two layers on different devices, the scheduler copies the hidden state of each token, in "
                        + "F32. How many bytes does one LLaMA-2-7B token carry across one such boundary?",
                () -> Presets.llama2_7b().dModel() * 4L, 0,
                "The hidden state between two blocks is one vector of dModel values per token; F32 is 4 bytes a "
                        + "value. Read dModel from Presets.llama2_7b().");
    }

    /** Time on the wire for one boundary crossing at 1 Gbit/s. */
    public static Exercise ex10_3() {
        return new Exercise("10.3",
                "On a 1 Gbit/s link, how many microseconds does that one token's crossing (exercise 10.2) take on "
                        + "the wire, ignoring latency and headers? Round to the nearest microsecond.",
                () -> (double) Math.round(Presets.llama2_7b().dModel() * 4.0 * 8 / 1e9 * 1e6), 0,
                "Bits over bits per second: 10.2's bytes x 8 / 1e9 seconds, then x 1e6 for microseconds. A round "
                        + "trip on a LAN (about 100 us) usually costs as much as the bytes themselves.");
    }
}
