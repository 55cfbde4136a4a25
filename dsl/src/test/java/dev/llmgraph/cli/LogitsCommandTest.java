package dev.llmgraph.cli;

import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph logits} run in-process: its output file is compared with the logits of the same GGUF
 * loaded through the Java API (the same computation, so the tolerance is zero), and bad arguments give one line
 * and exit code 2.
 */
class LogitsCommandTest {
    static final String USAGE = " (usage: bin/llmgraph logits --gguf FILE --tokens 1,2,3 --out FILE "
            + "[--backend cpu|cuda] [--threads N] [--rpc H:P,H:P [--tensor-split 1,1] [--local-layers N]])";

    @TempDir
    static Path dir;
    static Path gguf;

    @BeforeAll
    static void writeModel() {
        gguf = dir.resolve("tiny-gpt2.gguf");
        try (Model model = Model.random(Presets.tiny(Presets.gpt2Small()), WeightInit.lecun(5),
                ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, gguf);
        }
    }

    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = LogitsCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writesEveryPositionsLogitsAsLittleEndianFloat32() throws Exception {
        Path out = dir.resolve("logits.f32");
        int[] tokens = {1, 2, 3, 250, 17};
        Run run = run("--gguf", gguf.toString(), "--tokens", "1,2,3,250,17", "--out", out.toString(), "--threads", "2");
        assertEquals(0, run.status(), run.err());

        Logits expected;
        try (Model model = GgufModels.load(gguf, ModelOptions.cpu().withThreads(2))) {
            expected = model.forward(tokens);
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        float[] written = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(written);
        assertArrayEquals(expected.toArray(), written);
        assertEquals("logits [5 x 256] (f32, little-endian, row-major) -> " + out + "\n"
                + "top-5 ids at the last position: " + Arrays.toString(expected.top(4, 5)) + "\n", run.out());
    }

    /** A t5 file: the encoder on the ids, the decoder on the start token and the same ids, [(tokens + 1) x vocab]. */
    @Test
    void anEncoderDecoderWritesTheDecodersLogitsOfTheStartTokenAndEveryId() throws Exception {
        Path t5 = dir.resolve("tiny-t5.gguf");
        var spec = dev.llmgraph.spec.Transformer.encoderDecoder("tiny-t5").vocabSize(256).dModel(32).encoderLayers(2)
                .decoderLayers(2).heads(4).ffn(dev.llmgraph.spec.Ffn.mlp(64, dev.llmgraph.spec.Activation.RELU)
                        .withBias(false)).contextLength(16).build();
        try (var model = dev.llmgraph.model.EncoderDecoderModel.random(spec, WeightInit.lecun(5),
                ModelOptions.cpu().withThreads(2))) {
            dev.llmgraph.io.gguf.EncoderDecoderGguf.write(model, t5);
        }
        Path out = dir.resolve("t5-logits.f32");
        int[] tokens = {7, 250, 3};
        Run run = run("--gguf", t5.toString(), "--tokens", "7,250,3", "--out", out.toString(), "--threads", "2");
        assertEquals(0, run.status(), run.err());

        Logits expected;
        try (var model = dev.llmgraph.io.gguf.EncoderDecoderGguf.load(t5, ModelOptions.cpu().withThreads(2))) {
            expected = model.forward(tokens, tokens);
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        float[] written = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(written);
        assertEquals(4 * spec.vocabSize(), written.length, "the start token and 3 ids, a row of logits each");
        assertArrayEquals(expected.toArray(), written);
        assertTrue(run.out().startsWith("logits [4 x " + spec.vocabSize() + "]"), run.out());
    }

    @Test
    void helpDescribesEveryOptionAndExitsZero() {
        Run run = run("--help");

        assertEquals(0, run.status());
        assertEquals("", run.err());
        assertEquals(LogitsCommand.HELP, run.out());
        assertTrue(run.out().startsWith(USAGE.substring(2, USAGE.length() - 1) + "\n\n"), run.out());
        // every decoder family GgufModels reads, wrapped under the option's description
        assertTrue(run.out().contains("\n  --gguf FILE          the model (architectures llama, qwen2, qwen3, qwen2moe, "
                + "olmoe, qwen3moe, deepseek2, gemma2,\n                       gemma3, chatglm, phi2, phi3, gpt2, "
                + "bloom, falcon, mamba, mamba2, jamba, rwkv6 and rwkv7, or t5)\n  --tokens"), run.out());
        for (String option : new String[] {"--gguf", "--tokens", "--out", "--backend", "--threads", "--rpc",
                "--tensor-split", "--local-layers"}) {
            assertTrue(run.out().contains("\n  " + option + " "), option);
        }
        assertEquals(run, run("--gguf", "x.gguf", "-h"));
    }

    @Test
    void aMissingOptionIsOneLineAndExitCode2() {
        Run run = run("--gguf", gguf.toString(), "--out", "x");
        assertEquals(2, run.status());
        assertEquals("llmgraph logits: --tokens is missing" + USAGE + "\n", run.err());
    }

    @Test
    void anUnknownOptionIsOneLineAndExitCode2() {
        Run run = run("--gguf", gguf.toString(), "--tokens", "1", "--out", "x", "--fast", "yes");
        assertEquals(2, run.status());
        assertEquals("llmgraph logits: unknown argument '--fast'" + USAGE + "\n", run.err());
    }

    @Test
    void aTokenThatIsNotANumberIsOneLineAndExitCode2() {
        Run run = run("--gguf", gguf.toString(), "--tokens", "1,two", "--out", "x");
        assertEquals(2, run.status());
        assertEquals("llmgraph logits: --tokens: 'two' is not a whole number" + USAGE + "\n", run.err());
    }

    @Test
    void aMissingFileIsOneLineAndExitCode2() {
        Run run = run("--gguf", dir.resolve("nothing.gguf").toString(), "--tokens", "1", "--out", "x");
        assertEquals(2, run.status());
        assertEquals("llmgraph logits: --gguf " + dir.resolve("nothing.gguf") + ": no such file" + USAGE + "\n",
                run.err());
    }

    @Test
    void aTokenOutsideTheVocabularyIsOneLineAndExitCode2() {
        Run run = run("--gguf", gguf.toString(), "--tokens", "1,256", "--out", dir.resolve("y").toString());
        assertEquals(2, run.status());
        assertEquals("llmgraph logits: token id 256 at index 1 of the input is outside the vocabulary of 256 tokens "
                + "(ids 0 to 255)\n", run.err());
    }

    @Test
    void aFileThatIsNotAModelIsOneLineAndExitCode1() throws Exception {
        Path notModel = dir.resolve("not-a-model.gguf");
        new dev.llmgraph.ggml.gguf.GgufWriter().putString("general.architecture", "llama").write(notModel);
        Run run = run("--gguf", notModel.toString(), "--tokens", "1", "--out", dir.resolve("z").toString());
        assertEquals(1, run.status());
        assertEquals("llmgraph logits: " + notModel + ": key 'llama.context_length' is missing; llama.cpp needs it to "
                + "build a llama model\n", run.err());
    }
}
