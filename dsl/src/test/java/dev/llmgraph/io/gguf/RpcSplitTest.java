package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.RemoteDevice;
import dev.llmgraph.ggml.RpcServerProcess;
import dev.llmgraph.ggml.RpcServers;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.model.LoraAdapter;
import dev.llmgraph.model.LoraConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Placement;
import dev.llmgraph.model.PlacementTable;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.TrainingGraph;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model split across this process's CPU and two ggml RPC servers on 127.0.0.1, started by the test: the servers
 * compute with the same CPU kernels in other processes, so the logits must equal the one-process run's (within
 * {@link #TOLERANCE}; on this machine they are equal bit for bit), over a whole prompt and token by token; and
 * llama.cpp, given the same servers and the same split of the same GGUF, must agree too.
 */
class RpcSplitTest {
    /** Relative to the largest |logit|: the existing CPU parity tolerance; a misplaced layer moves logits by ~1. */
    static final double TOLERANCE = 1e-5;
    static final int[] PROMPT = TinyModels.prompt(24);

    private static RpcServerProcess first;
    private static RpcServerProcess second;

    @BeforeAll
    static void startServers() {
        first = RpcServerProcess.startLocal(1);
        second = RpcServerProcess.startLocal(1);
    }

    @AfterAll
    static void stopServers() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    /** Five layers, so that a 1:2 split of the four remote units (three layers and the output) is uneven. */
    static ModelSpec spec() {
        return Transformer.causalDecoder("tiny-llama-5").vocabSize(TinyModels.VOCAB).dModel(64).layers(5)
                .contextLength(64)
                .attention(Attention.grouped(4, 2))
                .positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ffn(Ffn.swiglu(96))
                .build();
    }

    Placement placement() {
        return new Placement(List.of(first.endpoint(), second.endpoint()), new float[] {1, 2}, 2);
    }

    @ParameterizedTest(name = "{0} matrices")
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0"})
    void aModelSplitAcrossTheCpuAndTwoServersComputesWhatItComputesInOneProcess(GgmlType type, @TempDir Path dir) {
        Path file = dir.resolve("tiny-" + type + ".gguf");
        ModelOptions local = ModelOptions.cpu().withThreads(2).withMatrixType(type);
        float[] whole, stepped;
        try (Model model = Model.random(spec(), WeightInit.lecun(5), local)) {
            GgufModels.write(model, file);
            whole = LlamaCppParityTest.overWholeContext(model, PROMPT);
            stepped = DecodingParityTest.oneByOne(model, PROMPT);
        }
        try (Model split = GgufModels.load(file, local.withPlacement(placement()))) {
            assertTrue(split.split());
            assertClose(whole, LlamaCppParityTest.overWholeContext(split, PROMPT),
                    "whole prompt, split vs one process");
            assertClose(stepped, DecodingParityTest.oneByOne(split, PROMPT), "token by token, split vs one process");
        }
    }

    @Test
    void layersLandWhereLlamaCppPutsThemAndTheCacheLivesWithThem() {
        try (Model split = Model.random(spec(), WeightInit.lecun(5), ModelOptions.cpu().withThreads(2)
                .withPlacement(placement()));
             Session session = split.session(32)) {
            session.feed(PROMPT);
            PlacementTable table = session.placement();
            // 2 local layers; the other 3 layers and the output (4 units) split 1:2 by llama.cpp's upper_bound rule:
            // unit fractions 0, .25, .5, .75 against the bounds 1/3, 1 give the first server 2 units, the second 2
            assertEquals(List.of("input, 0-1", "2-3", "4, output"),
                    table.rows().stream().map(PlacementTable.Row::layers).toList(), table.toString());
            assertEquals(List.of("this process", first.endpoint().toString(), second.endpoint().toString()),
                    table.rows().stream().map(PlacementTable.Row::server).toList(), table.toString());
            long perLayerCache = 2L * 32 * 16 * 2 * 4; // K and V: 32 positions x 2 kv heads x 16 dims, F32
            assertEquals(List.of(2 * perLayerCache, 2 * perLayerCache, perLayerCache),
                    table.rows().stream().map(PlacementTable.Row::cacheBytes).toList(), table.toString());
            for (PlacementTable.Row row : table.rows()) {
                assertTrue(row.weightBytes() > 0, row.toString());
            }
            // the diagram's boxes: the input, layers 0-4, the output, each coloured by its row's device
            assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2, 2}, table.unitDevices());
            assertEquals("input, 0-1 on CPU; 2-3 on RPC0[" + first.endpoint() + "]; 4, output on RPC0["
                    + second.endpoint() + "]", table.summary());
            String svg = table.diagram();
            assertEquals(7 + 3, svg.split("<rect ", -1).length - 1, svg);
            assertTrue(svg.contains("<title>out: RPC0[" + second.endpoint() + "] (" + second.endpoint() + ")</title>"),
                    svg);
        }
    }

    @Test
    void llamaCppWithTheSameServersAndSplitComputesTheSameLogits(@TempDir Path dir) {
        Path file = dir.resolve("tiny-referee.gguf");
        float[] ours;
        try (Model model = Model.random(spec(), WeightInit.lecun(7), ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, file);
        }
        // llama.cpp keeps its KV cache in F16
        try (Model split = GgufModels.load(file, ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16)
                .withPlacement(placement()))) {
            ours = LlamaCppParityTest.overWholeContext(split, PROMPT);
        }
        List<RemoteDevice> devices = List.of(RpcServers.device(first.endpoint()), RpcServers.device(second.endpoint()));
        Placement p = placement();
        try (LlamaReference llama = LlamaReference.openOn(file, LlamaReference.Settings.defaults()
                .withContextLength(64).withThreads(2), devices, p.gpuLayers(spec().layers()), p.split())) {
            assertClose(LlamaCppParityTest.flatten(llama.logits(PROMPT)), ours, "llmgraph split vs llama.cpp split");
        }
    }

    @Test
    void trainingAndAdaptersRefuseASplitModelInWords() {
        try (Model split = Model.random(spec(), WeightInit.lecun(5), ModelOptions.cpu().withThreads(2)
                .withPlacement(placement()))) {
            String where = "(" + placement() + ")";
            assertEquals("training runs on one device in this version, and tiny-llama-5 has layers on RPC servers "
                    + where + "; load it with Placement.local() for training",
                    assertThrows(UnsupportedOperationException.class, () -> TrainingGraph.build(split, 1, 8, 0,
                            name -> true, true)).getMessage());
            assertEquals("a LoRA adapter runs on one device in this version, and tiny-llama-5 has layers on RPC "
                    + "servers " + where + "; load it with Placement.local() for a LoRA adapter",
                    assertThrows(UnsupportedOperationException.class, () -> LoraAdapter.create(split,
                            LoraConfig.allLinear(4, 8))).getMessage());
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        LlamaCppParityTest.Difference d = LlamaCppParityTest.Difference.of(actual, expected);
        System.out.println(what + ": max abs difference, relative: " + d);
        assertTrue(d.relative() <= TOLERANCE, what + ": " + d + " over " + TOLERANCE);
    }
}
