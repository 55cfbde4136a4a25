package dev.llmgraph.ggml.gguf;

import dev.llmgraph.fuzz.ChildJvmFuzzRunner;
import dev.llmgraph.fuzz.FuzzResult;
import dev.llmgraph.ggml.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated GGUF files (see {@link GgufTarget}) are opened, read and copied into backend tensors in child JVMs
 * ({@link ChildJvmFuzzRunner}), so that a native crash is caught and counted instead of ending the test run. Every
 * case must end in a clean load or a {@link GgufException} with a message; no case may crash or hang (10 s, or
 * {@code -Dllmgraph.fuzz.caseSeconds=...}).
 *
 * <p>Reproducible: {@code -Dllmgraph.fuzz.seed=...}, {@code -Dllmgraph.fuzz.from=...} and
 * {@code -Dllmgraph.fuzz.cases=...} (the end, exclusive) pick the cases; a failure names its case, its seed and
 * the properties that rerun it alone.
 */
class GgufFuzzTest {
    private static final long SEED = Long.getLong("llmgraph.fuzz.seed", 20_250_601L);
    private static final int CASES = Integer.getInteger("llmgraph.fuzz.cases", 3000);
    private static final int FROM = Integer.getInteger("llmgraph.fuzz.from", 0);
    private static final Duration LIMIT = Duration.ofSeconds(Long.getLong("llmgraph.fuzz.caseSeconds", 10));

    /** Valid files to mutate: every value type plus tensors of several types; a custom alignment; metadata only. */
    static List<Path> seedFiles(Path dir) {
        float[] values = new float[64 * 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i);
        }
        Path everything = dir.resolve("seed-everything.gguf");
        GgufMetadataTest.everyType()
                .addTensor("token_embd.weight", values, 64, 2)
                .addTensor("blk.0.attn_q.weight", GgmlType.F16, values, 64, 2)
                .addTensor("blk.0.ffn_up.weight", GgmlType.Q8_0, values, 64, 2)
                .addTensor("blk.0.ffn_down.weight", GgmlType.Q4_0, values, 32, 4)
                .addTensor("output_norm.weight", new float[] {1, 2, 3}, 3)
                .write(everything);
        Path aligned = dir.resolve("seed-aligned.gguf");
        new GgufWriter().putString("general.architecture", "llama").alignment(64)
                .putStrings("tokenizer.ggml.tokens", List.of("<s>", "</s>", "a", "b"))
                .put("tokenizer.ggml.scores", GgufValue.float32s(0, 0, -1, -2))
                .addTensor("a", values, 16, 8).addTensor("b", GgmlType.F16, new float[] {1, 2}, 2, 1, 1, 1)
                .write(aligned);
        Path metadataOnly = dir.resolve("seed-metadata.gguf");
        new GgufWriter().putUint32("llama.block_count", 2).putFloat32("llama.rope.freq_base", 10000f)
                .put("llama.head_counts", GgufValue.int32s(4, 4)).write(metadataOnly);
        return List.of(everything, aligned, metadataOnly);
    }

    @Test
    void mutatedFilesEndInACleanLoadOrAGgufExceptionAndNeverCrashTheJvm(@TempDir Path dir) throws Exception {
        FuzzResult result = new ChildJvmFuzzRunner("GGUF", GgufTarget.class, LIMIT,
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")).run(SEED, FROM, CASES, dir);
        System.out.println(FuzzResult.header() + "\n" + result.row() + "\n" + result.details()
                + result.childJvms() + " child JVMs");

        assertEquals(List.of(), result.crashes(), "cases that crashed the JVM");
        assertEquals(List.of(), result.hangs(), "cases that hung");
        assertEquals(List.of(), result.unhelpful(), "cases that ended in something other than a clean load or a "
                + "GgufException with a message");
        assertEquals(CASES - FROM, result.cases(), "every case reports an outcome");
        if (CASES - FROM >= 100) { // a replay of a few cases may well have one outcome only
            assertTrue(result.accepted() > 0 && result.refused() > (CASES - FROM) / 2, "the mutations exercise both "
                    + "outcomes: " + result.row());
        }
    }
}
