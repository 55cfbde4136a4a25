package dev.llmgraph.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph parity --help}: the architectures it names are the families with softmax or latent attention,
 * derived from {@code ModelFamily}, which are the ones {@code LayerParityTest} compares node by node (every
 * architecture of {@code TinyModels}).
 */
class ParityCommandTest {
    @Test
    void helpNamesTheArchitecturesLayerParityIsTestedOn() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = ParityCommand.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String help = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertTrue(help.contains("\n  --gguf FILE          the model (architectures llama, qwen2, qwen3, qwen2moe, olmoe, "
                + "qwen3moe, deepseek2, gemma2,\n                       gemma3, chatglm, phi2, phi3, gpt2, bloom and "
                + "falcon)\n"), help);
    }
}
