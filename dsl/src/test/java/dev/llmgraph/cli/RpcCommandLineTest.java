package dev.llmgraph.cli;

import dev.llmgraph.ggml.RpcServerProcess;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The command line's --rpc, --tensor-split and --local-layers: the same logits as in one process, and words. */
class RpcCommandLineTest {

    private static int logits(String[] args, ByteArrayOutputStream err) {
        return LogitsCommand.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void logitsWithLayersOnAServerAreTheBytesOfAOneProcessRun(@TempDir Path dir) throws Exception {
        Path gguf = dir.resolve("tiny.gguf");
        try (Model model = Model.random(Presets.tiny(Presets.llama2_7b()), WeightInit.lecun(9),
                ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, gguf);
        }
        Path here = dir.resolve("here.f32"), split = dir.resolve("split.f32");
        String[] common = {"--gguf", gguf.toString(), "--tokens", "1,2,3,4,5,6,7,8", "--threads", "2"};
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, logits(concat(common, "--out", here.toString()), err), err.toString());
        try (RpcServerProcess server = RpcServerProcess.startLocal(1)) {
            assertEquals(0, logits(concat(common, "--out", split.toString(), "--rpc", server.endpoint().toString(),
                    "--local-layers", "1"), err), err.toString());
        }
        assertArrayEquals(Files.readAllBytes(here), Files.readAllBytes(split));
    }

    @Test
    void placementOptionsAreCheckedInWords(@TempDir Path dir) throws Exception {
        Path gguf = Files.createFile(dir.resolve("any.gguf"));
        String[] base = {"--gguf", gguf.toString(), "--tokens", "1", "--out", dir.resolve("o").toString()};
        assertRefused(concat(base, "--tensor-split", "1,1"),
                "--tensor-split places layers on RPC servers; name them with --rpc H:P,H:P");
        assertRefused(concat(base, "--rpc", "nohost"),
                "'nohost' is not an RPC server address; write host:port, as in 192.168.1.20:50052 or localhost:50052");
        assertRefused(concat(base, "--rpc", "a:1,b:2", "--tensor-split", "1"),
                "a split of 1 shares for 2 RPC servers; give one share per server, or none to split by free memory");
        assertRefused(concat(base, "--rpc", "a:1", "--local-layers", "-1"), "localLayers = -1: must be 0 or more");
        assertRefused(concat(base, "--rpc", "a:1,a:1"), "RPC servers [a:1, a:1] name one server twice; name each once");
        assertRefused(concat(base, "--rpc", "a:70000"), "RPC server a:70000: the port must be between 1 and 65535");
    }

    private static void assertRefused(String[] args, String message) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, logits(args, err));
        assertEquals("llmgraph logits: " + message + LogitsCommandTest.USAGE + "\n", err.toString(StandardCharsets.UTF_8));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
