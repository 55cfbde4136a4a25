package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightInit;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.Logits;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding with the KV cache gives the logits of the full forward pass, for every positional scheme and
 * attention variant: one token at a time, and in chunks of a small batch size. An F16 cache stays close to
 * the F32 one.
 */
class KvCacheConsistencyTest {
    /** Tiny models: one thread, so that ggml's spinning workers do not fight over a shared machine's cores. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    static final int TOKENS = 10;
    static final int PREFIX = 4;
    static final int WINDOW = 4;

    /**
     * Same weights, same float32 ops, only the batch split differs: matrix products accumulate in another
     * order and softmax sees other row lengths, about 1e-7 relative per step; seen below 2e-6.
     */
    static final double SPLIT_TOLERANCE = 2e-5;

    /**
     * An F16 cache rounds every cached key and value to 11 significant bits (2^-11 = 4.9e-4 relative), and
     * ggml then multiplies q in F16 too; over two blocks that moves the logits by up to about 2e-3 of their
     * scale.
     */
    static final double F16_CACHE_TOLERANCE = 1e-2;

    static final Map<String, Positional> POSITIONAL = new LinkedHashMap<>();

    static {
        POSITIONAL.put("NoPE", Positional.none());
        POSITIONAL.put("learned", Positional.learned());
        POSITIONAL.put("sinusoidal", Positional.sinusoidal());
        POSITIONAL.put("RoPE", Positional.rope(10_000));
        POSITIONAL.put("RoPE-halves-partial", Positional.rope(10_000).withPairing(RopePairing.HALVES).withFraction(0.5));
        POSITIONAL.put("RoPE-linear", Positional.rope(10_000).withScaling(RopeScaling.linear(2)));
        POSITIONAL.put("RoPE-ntk", Positional.rope(10_000).withScaling(RopeScaling.ntkAware(2)));
        POSITIONAL.put("RoPE-yarn", Positional.rope(500).withScaling(RopeScaling.yarn(2, 32)));
        POSITIONAL.put("ALiBi", Positional.alibi());
        POSITIONAL.put("T5", Positional.t5Bias(8, 16));
    }

    static final String WINDOWED = "window" + WINDOW;
    static final List<String> VARIANTS = List.of("MHA", "GQA", "MQA", WINDOWED, "prefix");

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String positional : POSITIONAL.keySet()) {
            for (String variant : VARIANTS) {
                for (boolean flash : new boolean[] {false, true}) {
                    out.add(Arguments.of(positional + " " + variant + (flash ? " flash" : ""), positional, variant, flash));
                }
            }
        }
        return out.stream();
    }

    static ModelSpec spec(String positional, String variant, boolean flash) {
        Attention attention = switch (variant) {
            case "GQA" -> Attention.grouped(4, 2);
            case "MQA" -> Attention.multiQuery(4);
            case WINDOWED -> Attention.grouped(4, 2).withSlidingWindow(WINDOW);
            default -> Attention.multiHead(4);
        };
        return Transformer.builder("kv-" + positional + "-" + variant,
                        variant.equals("prefix") ? ArchitectureKind.PREFIX_DECODER : ArchitectureKind.CAUSAL_DECODER)
                .vocabSize(64).dModel(32).layers(2).contextLength(32)
                .attention(attention.withBias(true).withFlash(flash))
                .positional(POSITIONAL.get(positional))
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(48))
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tokenByTokenAndChunkedDecodingMatchTheFullForward(String label, String positional, String variant,
                                                           boolean flash) {
        ModelSpec spec = spec(positional, variant, flash);
        int[] tokens = new SplittableRandom(label.hashCode()).ints(TOKENS, 0, spec.vocabSize()).toArray();
        int prefix = spec.kind() == ArchitectureKind.PREFIX_DECODER ? PREFIX : 0;
        float[][] full, oneByOne, chunked;
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU)) {
            full = rows(model.forward(tokens, prefix));
            oneByOne = incremental(model, tokens, prefix);
        }
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU.withBatchSize(3))) {
            chunked = chunked(model, tokens, prefix);
        }
        assertClose(full, oneByOne, SPLIT_TOLERANCE, "one token at a time");
        assertClose(full, chunked, SPLIT_TOLERANCE, "chunks of 3 tokens");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anF16CacheStaysCloseToTheF32One(String label, String positional, String variant, boolean flash) {
        ModelSpec spec = spec(positional, variant, flash);
        int[] tokens = new SplittableRandom(label.hashCode()).ints(TOKENS, 0, spec.vocabSize()).toArray();
        int prefix = spec.kind() == ArchitectureKind.PREFIX_DECODER ? PREFIX : 0;
        float[][] f32, f16;
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU)) {
            f32 = rows(model.forward(tokens, prefix));
        }
        try (Model model = Model.random(spec, WeightInit.lecun(1), CPU.withCacheType(GgmlType.F16))) {
            f16 = rows(model.forward(tokens, prefix));
        }
        assertClose(f32, f16, F16_CACHE_TOLERANCE, "F16 cache");
    }

    /** The prompt's prefix (if any) in one call, then every other token alone. */
    static float[][] incremental(Model model, int[] tokens, int prefix) {
        List<float[]> out = new ArrayList<>();
        try (Session session = model.session()) {
            int start = 0;
            if (prefix > 0) {
                out.addAll(Arrays.asList(rows(session.feedPrefix(Arrays.copyOf(tokens, prefix)))));
                start = prefix;
            }
            for (int t = start; t < tokens.length; t++) {
                out.add(session.feed(tokens[t]));
            }
        }
        return out.toArray(float[][]::new);
    }

    /** The whole sequence through a model whose batch size splits it into chunks. */
    static float[][] chunked(Model model, int[] tokens, int prefix) {
        try (Session session = model.session()) {
            if (prefix == 0) {
                return rows(session.feedAll(tokens));
            }
            float[][] head = rows(session.feedPrefix(Arrays.copyOf(tokens, prefix)));
            float[][] tail = rows(session.feedAll(Arrays.copyOfRange(tokens, prefix, tokens.length)));
            float[][] all = Arrays.copyOf(head, tokens.length);
            System.arraycopy(tail, 0, all, prefix, tail.length);
            return all;
        }
    }

    static float[][] rows(Logits logits) {
        float[][] out = new float[logits.tokens()][];
        for (int t = 0; t < out.length; t++) {
            out[t] = logits.row(t);
        }
        return out;
    }

    /** max |a - b| <= tolerance * rms(a) over every position. */
    static void assertClose(float[][] expected, float[][] actual, double tolerance, String what) {
        assertTrue(expected.length == actual.length, what + ": " + actual.length + " positions, not " + expected.length);
        double max = 0, squares = 0;
        int n = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < expected[t].length; v++) {
                max = Math.max(max, Math.abs(expected[t][v] - actual[t][v]));
                squares += (double) expected[t][v] * expected[t][v];
                n++;
            }
        }
        double error = max / Math.sqrt(squares / n);
        assertTrue(error <= tolerance, what + ": logits differ from the full forward by " + error
                + " of their scale, more than " + tolerance);
    }
}
