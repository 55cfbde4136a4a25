package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;

import java.util.List;

/**
 * The backend of each layer of a compiled model: on one device, every layer's; split across RPC servers
 * ({@code Placement}), each layer's own. A weight follows its layer (llama.cpp's {@code blk.N.} prefix), the
 * output norm and head follow the output layer, and everything else (token and position embeddings, constant
 * tables) stays with the input on the local backend.
 */
public final class LayerDevices {
    private final Backend local;
    private final Backend[] units;

    /**
     * @param local the backend of the input layer and of every unit not placed elsewhere
     * @param units the backend of layer 0 .. layers - 1, then of the output layer
     */
    public LayerDevices(Backend local, List<Backend> units) {
        this.local = local;
        this.units = units.toArray(Backend[]::new);
    }

    /** Every layer on {@code backend}. */
    public static LayerDevices single(Backend backend, int layers) {
        return new LayerDevices(backend, java.util.Collections.nCopies(layers + 1, backend));
    }

    public Backend local() {
        return local;
    }

    public Backend layer(int layer) {
        return units[layer];
    }

    public Backend output() {
        return units[units.length - 1];
    }

    /** The backend a weight of llama.cpp name {@code name} lives on. */
    public Backend weight(String name) {
        if (name.startsWith("blk.")) {
            int end = name.indexOf('.', 4);
            if (end > 4) {
                try {
                    int layer = Integer.parseInt(name.substring(4, end));
                    return layer < units.length - 1 ? layer(layer) : local;
                } catch (NumberFormatException e) {
                    return local; // not a layer number: stays with the input
                }
            }
        }
        if (name.startsWith("output.") || name.startsWith("output_norm.")) {
            return output();
        }
        return local;
    }

    /** Whether some layer is on another backend than the input. */
    public boolean split() {
        for (Backend b : units) {
            if (b != local) {
                return true;
            }
        }
        return false;
    }
}
