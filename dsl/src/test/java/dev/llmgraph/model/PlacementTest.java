package dev.llmgraph.model;

import dev.llmgraph.ggml.RpcEndpoint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Which device each layer gets, by llama.cpp's rule in llama_model::load_tensors: the last n_gpu_layers units
 * (layers, then the output) go to the devices; unit u of them goes to the first device whose cumulative share
 * exceeds u / n_gpu_layers. The expected arrays are worked out by hand from that rule.
 */
class PlacementTest {
    private static final List<RpcEndpoint> TWO = List.of(new RpcEndpoint("10.0.0.2", 50052),
            new RpcEndpoint("10.0.0.3", 50052));

    @Test
    void anEvenSplitOfEverything() {
        // 4 layers + output = 5 units; fractions 0, .2, .4, .6, .8 against bounds .5, 1
        assertArrayEquals(new int[] {0, 0, 0, 1, 1}, Placement.rpc("10.0.0.2:50052", "10.0.0.3:50052")
                .split(1, 1).assign(4, new long[2]));
    }

    @Test
    void localLayersComeFirstAndTheRestIsSplitByShare() {
        // 6 layers, 2 local: 5 units on the servers, fractions 0, .2, .4, .6, .8 against bounds .25, 1
        assertArrayEquals(new int[] {-1, -1, 0, 0, 1, 1, 1},
                new Placement(TWO, new float[] {1, 3}, 2).assign(6, new long[2]));
        assertEquals(5, new Placement(TWO, new float[] {1, 3}, 2).gpuLayers(6));
    }

    @Test
    void withoutASplitTheServersShareByFreeMemory() {
        // free memory 3 GiB and 1 GiB: bounds .75, 1; 3 units: fractions 0, 1/3, 2/3
        long gib = 1L << 30;
        assertArrayEquals(new int[] {0, 0, 0}, Placement.rpc("10.0.0.2:50052", "10.0.0.3:50052")
                .assign(2, new long[] {3 * gib, gib}));
        assertArrayEquals(new int[] {0, 0, 0, 0, 1}, Placement.rpc("10.0.0.2:50052", "10.0.0.3:50052")
                .assign(4, new long[] {3 * gib, gib}));
    }

    @Test
    void everyLayerLocalLeavesTheServersTheOutputOnly() {
        assertArrayEquals(new int[] {-1, -1, 0}, Placement.rpc("10.0.0.2:50052").localLayers(2).assign(2, new long[1]));
    }

    @Test
    void impossiblePlacementsAreRefusedInWords() {
        assertEquals("split [1.0, -1.0]: every share must be a finite number of 0 or more",
                assertThrows(IllegalArgumentException.class, () -> new Placement(TWO, new float[] {1, -1}, 0))
                        .getMessage());
        assertEquals("split [0.0, 0.0]: at least one share must be more than 0",
                assertThrows(IllegalArgumentException.class, () -> new Placement(TWO, new float[] {0, 0}, 0))
                        .getMessage());
        assertEquals("'10.0.0.2' is not an RPC server address; write host:port, as in 192.168.1.20:50052 or "
                + "localhost:50052", assertThrows(IllegalArgumentException.class, () -> Placement.rpc("10.0.0.2"))
                .getMessage());
        assertEquals("'10.0.0.2:x': the port 'x' is not a number; write host:port, as in 192.168.1.20:50052",
                assertThrows(IllegalArgumentException.class, () -> Placement.rpc("10.0.0.2:x")).getMessage());
    }

    @Test
    void moreLocalLayersThanTheModelHasIsRefusedBeforeAnyServerIsAsked() {
        var spec = dev.llmgraph.presets.Presets.tiny(dev.llmgraph.presets.Presets.llama2_7b());
        var e = assertThrows(IllegalArgumentException.class, () -> Model.random(spec, WeightInit.lecun(1),
                ModelOptions.cpu().withPlacement(Placement.rpc("127.0.0.1:1").localLayers(spec.layers() + 1))));
        assertEquals("localLayers = " + (spec.layers() + 1) + ", but " + spec.name() + " has " + spec.layers()
                + " layers; keep at most " + spec.layers() + " on this process", e.getMessage());
    }
}
