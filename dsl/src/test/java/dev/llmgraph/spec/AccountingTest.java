package dev.llmgraph.spec;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Parameter counts against the published ones, the weight layout against the parameter formula (two
 * independent computations), KV-cache bytes against the literature's formula, FLOPs against a hand count.
 */
class AccountingTest {
    @ParameterizedTest(name = "{0} has {1} parameters")
    @CsvSource({
            "gpt2-small,     124439808",
            "gpt2-medium,    354823168",
            "llama-2-7b,     6738415616",
            "llama-3-8b,     8030261248",
            "llama-3.2-1b,   1235814400",
            "tinyllama-1.1b, 1100048384",
            "mistral-7b,     7241732096",
            "qwen3-0.6b,     596049920",
            "gemma-2-2b,     2614341888",
            "bloom-560m,     559214592",
            "falcon-7b,      6921720704",
            "chatglm2-6b,    6243584000",
            "chatglm-6b,     6173286400",
            "mamba-130m,     129135360",
            "mamba-2.8b,     2768345600",
            "mamba2-2.7b,    2702599680",
            "rwkv6-finch-1.6b, 1599873024",
            "rwkv7-goose-1.5b, 1527404544",
            // half the bf16 total_size 103140646656 of a model.safetensors.index.json of Jamba-v0.1's config
            // (StateSpacePresets.jambaV01 says where it was read)
            "jamba-v0.1,     51570323328"})
    void presetParameterCountIsThePublishedOne(String preset, long published) {
        assertEquals(published, Presets.byName(preset).parameterCount());
    }

    static Stream<Arguments> presetsAndRandomSpecs() {
        Stream<ModelSpec> presets = Stream.concat(Presets.all().values().stream(), Presets.stateSpace().values()
                .stream()).map(Supplier::get);
        Stream<ModelSpec> tiny = Stream.concat(Presets.all().keySet().stream(), Presets.stateSpace().keySet().stream())
                .map(n -> Presets.byName("tiny-" + n));
        SplittableRandom random = new SplittableRandom(17);
        Stream<ModelSpec> randomSpecs = IntStream.range(0, 300).mapToObj(i -> RandomSpecs.next(random, "random-" + i));
        return Stream.of(presets, tiny, randomSpecs).flatMap(s -> s)
                .map(spec -> Arguments.of(spec.describe().replace("\n  ", "; "), spec));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presetsAndRandomSpecs")
    void weightLayoutElementsAddUpToTheParameterFormula(String description, ModelSpec spec) {
        Map<String, Long> byComponent = new LinkedHashMap<>();
        long total = 0;
        for (WeightLayout.Weight w : WeightLayout.of(spec)) {
            byComponent.merge(w.component(), w.elements(), Long::sum);
            total += w.elements();
        }
        ParameterCount formula = spec.accounting().parameters();
        assertEquals(formula.total(), total, "total");
        byComponent.values().removeIf(v -> v == 0);
        assertEquals(formula.components(), byComponent, "per component");
    }

    @ParameterizedTest(name = "{0}: {1} bytes of F16 KV cache per token")
    @CsvSource({
            // 2 (K and V) x kvHeads x headDim x layers x 2 bytes
            "gpt2-small,     36864",   // 2 x 12 x 64 x 12 x 2
            "gpt2-medium,    98304",   // 2 x 16 x 64 x 24 x 2
            "llama-2-7b,     524288",  // 2 x 32 x 128 x 32 x 2: MHA
            "llama-3-8b,     131072",  // 2 x 8 x 128 x 32 x 2: GQA, a quarter of LLaMA-2's
            "tinyllama-1.1b, 22528",   // 2 x 4 x 64 x 22 x 2
            "mistral-7b,     131072",  // 2 x 8 x 128 x 32 x 2
            "qwen3-0.6b,     114688",  // 2 x 8 x 128 x 28 x 2: heads of 128 in a width of 1024
            "gemma-2-2b,     106496",  // 2 x 4 x 256 x 26 x 2
            "bloom-560m,     98304",   // 2 x 16 x 64 x 24 x 2
            "falcon-7b,      8192",    // 2 x 1 x 64 x 32 x 2: MQA
            "chatglm2-6b,    28672",   // 2 x 2 x 128 x 28 x 2
            "chatglm-6b,     458752"}) // 2 x 32 x 128 x 28 x 2
    void kvCacheBytesPerTokenFollowTheFormula(String preset, long bytes) {
        ModelSpec spec = Presets.byName(preset);
        assertEquals(bytes, spec.accounting().kvCacheBytesPerToken(GgmlType.F16));
        assertEquals(2 * bytes, spec.accounting().kvCacheBytesPerToken(GgmlType.F32));
        assertEquals(bytes / 2, spec.accounting().kvCacheElementsPerToken(), "F16 is 2 bytes per element");
    }

    /** Counts below what they count refuse in words instead of giving negative bytes or shapes. */
    @Test
    void negativeCountsAreRefusedInWords() {
        Accounting a = Presets.llama2_7b().accounting();
        assertEquals("kvCacheBytes: tokens = -5 must be at least 0", assertThrows(IllegalArgumentException.class,
                () -> a.kvCacheBytes(-5, GgmlType.F16)).getMessage());
        assertEquals("flopsPerToken: contextLength = -1 must be at least 0", assertThrows(
                IllegalArgumentException.class, () -> a.flopsPerToken(-1)).getMessage());
        assertEquals("shapeTrace: tokens = 0 must be at least 1", assertThrows(IllegalArgumentException.class,
                () -> a.shapeTrace(0)).getMessage());
        assertEquals("shapeTrace: cached = -1 must be at least 0", assertThrows(IllegalArgumentException.class,
                () -> a.shapeTrace(1, -1)).getMessage());
        assertEquals("kvCacheBytes: batch = 0 must be at least 1", assertThrows(IllegalArgumentException.class,
                () -> a.kvCacheBytes(4096, GgmlType.F16, 0)).getMessage());
        assertEquals("memory: batch = 0 must be at least 1", assertThrows(IllegalArgumentException.class,
                () -> a.memory(4096, 0, GgmlType.F16, GgmlType.F16)).getMessage());
        assertEquals("memory: contextLength = -1 must be at least 0", assertThrows(IllegalArgumentException.class,
                () -> a.memory(-1, 1, GgmlType.F16, GgmlType.F16)).getMessage());
    }

    @Test
    void kvCacheOfLlama2AtItsFullContextIsTwoGibibytes() {
        // 524 288 bytes x 4096 tokens = 2^31
        assertEquals(1L << 31, Presets.llama2_7b().accounting().kvCacheBytes(4096, GgmlType.F16));
        // Q8_0 stores each row of 4096 values as 128 blocks of 34 bytes: 2 x 32 x 4352
        assertEquals(278_528, Presets.llama2_7b().accounting().kvCacheBytesPerToken(GgmlType.Q8_0));
    }

    @Test
    void mistralsSlidingLayersKeepTheWindowAndOneBatch() {
        Accounting a = Presets.mistral7b().accounting();
        // 32 layers x 8 K/V heads x 128 values x 2 (K and V) x 2 bytes = 128 KiB a row over all layers
        long row = 131_072;
        // window 4096 + a batch of 512: 4608 rows (a multiple of 256) instead of 32 768
        assertEquals(4608 * row, a.kvCacheBytes(32_768, GgmlType.F16));
        // a batch of 100: 4196 rows, rounded up to 4352
        assertEquals(4352 * row, a.kvCacheBytes(32_768, GgmlType.F16, 100));
        // shorter than the ring, or a batch as long as the cache: every position
        assertEquals(4000 * row, a.kvCacheBytes(4000, GgmlType.F16));
        assertEquals(32_768 * row, a.kvCacheBytes(32_768, GgmlType.F16, 32_768));
    }

    @Test
    void flopsPerTokenMatchAHandCount() {
        ModelSpec spec = Transformer.causalDecoder("flops").vocabSize(100).dModel(16).layers(2).contextLength(64)
                .attention(Attention.grouped(4, 2).withSlidingWindow(SlidingWindow.withGlobalEvery(6, 2)))
                .ffn(Ffn.swiglu(32))
                .build();
        // per layer, multiply-adds of the weight matrices: q 16x16 + k 16x8 + v 16x8 + o 16x16 = 768,
        // FFN 3 x 16 x 32 = 1536; 2 FLOPs each: 4608 per layer, 9216 for both
        // output head: 2 x 16 x 100 = 3200
        // scores and weighted values: 2 x 2 x heads 4 x headDim 4 = 64 per visible key;
        // at context 10 layer 0 slides (window 6): 6 keys = 384; layer 1 is global: 10 keys = 640
        assertEquals(9216 + 3200 + 384 + 640, spec.accounting().flopsPerToken(10));
        // at context 4 the window does not bite: 4 keys on both layers = 2 x 256
        assertEquals(9216 + 3200 + 512, spec.accounting().flopsPerToken(4));
    }

    @Test
    void accountingPrintsAsASmallTable() {
        // tiny-llama-2-7b: 41,632 parameters (x 4 bytes = 162.6 KiB in F32; F16 matrices and 160 F32 norm values
        // = 81.6 KiB); K and V of 4 heads x 8 values x 2 layers in F16 = 256 bytes per token
        assertEquals("""
                accounting of tiny-llama-2-7b
                  parameters                41,632 (41.6K)
                  KV cache per token (F16)  256 bytes
                  KV cache at 128 tokens    32.0 KiB (F16)
                  weights                   81.6 KiB in F16, 162.6 KiB in F32
                  FLOPs per token           0.10 MFLOP at 128 tokens of context
                  more: parameters(), kvCacheBytes(tokens, type), weightBytes(type), memory(...), shapeTrace(n)""",
                Presets.tiny(Presets.llama2_7b()).accounting().toString());
    }
}
