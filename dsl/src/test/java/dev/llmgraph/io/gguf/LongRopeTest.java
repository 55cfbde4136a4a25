package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.RopeScaling;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LongRoPE's two sets of factors: which one a model divides by, and how a GGUF file holds them. llama.cpp's agreement
 * with llmgraph on both sets is {@link LlamaCppParityTest}'s "phi3, LongRoPE short", "phi3, LongRoPE long" and "llama,
 * LongRoPE"; here, that the set follows the context the model is loaded with, and that a file reads back as its spec,
 * as llama.cpp's converter writes it (no llmgraph keys) and refused in words where it is incomplete.
 */
class LongRopeTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16)
            .withRepackMapped(false);
    /** Trained on 32 positions, run on 64: the long factors. */
    private static final ModelSpec LONG = TinyModels.all().get("phi3, LongRoPE long");

    @TempDir
    static Path dir;
    static Path written;

    @BeforeAll
    static void writeTheLongModel() {
        written = write(LONG, 5, "longrope.gguf");
    }

    /** {@code spec} with random weights (seed {@code seed}) as the GGUF file {@code name}. */
    private static Path write(ModelSpec spec, long seed, String name) {
        Path file = dir.resolve(name);
        try (Model model = Model.random(spec, WeightInit.lecun(seed), CPU)) {
            GgufModels.write(model, file);
        }
        return file;
    }

    private static RopeScaling.LongRope longRope(ModelSpec spec) {
        return (RopeScaling.LongRope) spec.rope().scaling();
    }

    private static float[] floats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }

    /**
     * The spec runs 64 positions and was trained on 32, so it divides by the long factors; loaded to run at most 32
     * (ModelOptions.withContextLength), by the short ones, and then it computes what the same spec made for 32
     * positions computes, to the bit. The two sets give logits apart by far more than rounding.
     */
    @Test
    void theContextAModelIsLoadedWithPicksTheSet() {
        int[] prompt = TinyModels.prompt(20);
        float[] full, shortened, madeShort;
        try (Model model = Model.random(LONG, WeightInit.lecun(5), CPU)) {
            assertArrayEquals(floats(longRope(LONG).longFactors()), model.weight("rope_freqs.weight"), 0f);
            full = model.forward(prompt).toArray();
        }
        try (Model model = Model.random(LONG, WeightInit.lecun(5), CPU.withContextLength(32))) {
            assertArrayEquals(floats(longRope(LONG).shortFactors()), model.weight("rope_freqs.weight"), 0f);
            shortened = model.forward(prompt).toArray();
        }
        try (Model model = Model.random(LONG.withContextLength(32), WeightInit.lecun(5), CPU)) {
            madeShort = model.forward(prompt).toArray();
        }
        assertArrayEquals(madeShort, shortened, 0f);
        double apart = 0;
        for (int i = 0; i < full.length; i++) {
            apart = Math.max(apart, Math.abs(full[i] - shortened[i]));
        }
        assertTrue(apart > 1e-2, "the long and the short factors give logits apart by " + apart);
    }

    /**
     * The file holds what llama.cpp's converter writes for Phi-3 (both sets as F32 tensors, the trained context, the
     * attention factor as F32; the scaling type too, which llama.cpp's llama graph needs), reads back as the very spec
     * with llmgraph's own double-precision keys, and without them (and without the type, as the converter writes
     * phi3 files) as the F32 values llama.cpp reads, computing the same logits.
     */
    @Test
    void aFileHoldsBothSetsAsLlamaCppsConverterWritesThem() {
        RopeScaling.LongRope expected = longRope(LONG);
        try (GgufFile file = GgufFile.open(written)) {
            assertArrayEquals(floats(expected.shortFactors()), file.floats("rope_factors_short.weight"), 0f);
            assertArrayEquals(floats(expected.longFactors()), file.floats("rope_factors_long.weight"), 0f);
            assertEquals(32, file.getInt("phi3.rope.scaling.original_context_length"));
            assertEquals((float) expected.attentionFactor(), file.getFloat("phi3.rope.scaling.attn_factor"));
            assertEquals("longrope", file.getString("phi3.rope.scaling.type"));
        }
        assertEquals(LONG.positional(), GgufModels.spec(written).positional());

        // the converter writes no scaling type for phi3, whose graph loads the factors whatever the type
        Path converted = GgufReadErrorsTest.variant(written, "as-converted", keys -> keys.keySet()
                .removeIf(key -> key.startsWith("llmgraph.") || key.equals("phi3.rope.scaling.type")), w -> { });
        RopeScaling.LongRope read = longRope(GgufModels.spec(converted));
        assertArrayEquals(floats(expected.longFactors()), floats(read.longFactors()), 0f);
        assertFalse(read.longFactors().equals(expected.longFactors()), "F32 values, not the spec's doubles");
        assertEquals((float) expected.attentionFactor(), (float) read.attentionFactor());
        int[] prompt = TinyModels.prompt(20);
        try (Model original = GgufModels.load(written, CPU); Model asConverted = GgufModels.load(converted, CPU)) {
            assertArrayEquals(original.forward(prompt).toArray(), asConverted.forward(prompt).toArray(), 0f);
        }
    }

    @Test
    void anIncompleteFileIsRefusedInWords() {
        Path onlyLong = GgufReadErrorsTest.variant(written, "only-long", keys -> { }, w -> { },
                "rope_factors_short.weight");
        assertEquals(onlyLong + ": tensor 'rope_factors_long.weight' holds one of LongRoPE's two sets of per-pair "
                + "factors, but 'rope_factors_short.weight' is missing; llama.cpp picks one set or the other by the "
                + "context length, so a file needs both", GgufReadErrorsTest.readError(onlyLong));
        Path shortSet = GgufReadErrorsTest.variant(written, "short-set", keys -> { },
                w -> w.addTensor("rope_factors_long.weight", new float[] {1, 2, 3, 4}, 4), "rope_factors_long.weight");
        assertEquals(shortSet + ": tensor 'rope_factors_long.weight' holds 4 values; RoPE over 12 dimensions divides "
                + "6 frequencies, one per pair", GgufReadErrorsTest.readError(shortSet));
        Path noFactors = GgufReadErrorsTest.variant(written, "no-factors", keys -> { }, w -> { },
                "rope_factors_short.weight", "rope_factors_long.weight");
        assertEquals(noFactors + ": key 'phi3.rope.scaling.type' is 'longrope', but the file has neither "
                + "'rope_factors_short.weight' nor 'rope_factors_long.weight'; LongRoPE divides each pair's frequency "
                + "by one of these sets", GgufReadErrorsTest.readError(noFactors));
    }

    /**
     * llama.cpp's llama graph loads the two sets only under rope.scaling.type "longrope" (and rope_freqs otherwise):
     * without the key it would refuse the file for its extra tensors.
     */
    @Test
    void aLlamaFileNeedsTheLongRopeType() {
        Path llama = write(TinyModels.all().get("llama, LongRoPE"), 1, "llama-longrope.gguf");
        Path untyped = GgufReadErrorsTest.variant(llama, "llama-longrope-untyped",
                keys -> keys.remove("llama.rope.scaling.type"), w -> { });
        assertEquals(untyped + ": tensors 'rope_factors_short.weight' and 'rope_factors_long.weight' hold LongRoPE's "
                + "per-pair RoPE factors, which llama.cpp's llama graph loads only where key 'llama.rope.scaling.type' "
                + "is 'longrope'; add that key", GgufReadErrorsTest.readError(untyped));
    }

    /** llama.cpp's olmoe graph loads no LongRoPE factors: a file that has them is not the model llama.cpp runs. */
    @Test
    void factorsInAFamilyThatDoesNotReadThemAreRefused() {
        Path olmoe = write(TinyModels.all().get("olmoe"), 1, "olmoe.gguf");
        Path withFactors = GgufReadErrorsTest.variant(olmoe, "olmoe-longrope",
                keys -> keys.put("olmoe.rope.scaling.attn_factor", GgufValue.float32(1.19f)),
                w -> w.addTensor("rope_factors_short.weight", new float[8], 8)
                        .addTensor("rope_factors_long.weight", new float[8], 8));
        assertEquals(withFactors + ": tensors 'rope_factors_short.weight' and 'rope_factors_long.weight' hold "
                + "LongRoPE's per-pair RoPE factors, which llama.cpp's olmoe graph does not read; llama.cpp and "
                + "llmgraph read them in llama and phi3 files", GgufReadErrorsTest.readError(withFactors));
    }
}
