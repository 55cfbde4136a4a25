package dev.llmgraph.model;

import dev.llmgraph.ggml.RpcEndpoint;

import java.util.Arrays;
import java.util.List;

/**
 * Which devices hold a model's layers, as llama.cpp places them: the input layer (token embeddings) and the
 * first {@code localLayers} layers on this process's backend ({@link ModelOptions#backend()}), the other layers
 * and the output layer (final norm and head, counted as one more layer) on the devices of RPC servers, split
 * between them in proportion to {@code split} or, where no split is given, to their free memory. That is
 * {@code llama-cli --rpc SERVERS -ngl (layers + 1 - localLayers) --tensor-split SPLIT}: the same GGUF on the same
 * servers gets the same layers on the same devices in both. A layer's KV cache or recurrent state lives with it.
 *
 * <pre>{@code
 * ModelOptions.cpu().withPlacement(Placement.rpc("10.0.0.2:50052", "10.0.0.3:50052").split(3, 1).localLayers(2))
 * }</pre>
 *
 * @param servers     the RPC servers, in order (a server with several devices contributes its first)
 * @param split       one share per server, or empty for shares by free memory
 * @param localLayers how many of the first layers stay on this process's backend
 */
public record Placement(List<RpcEndpoint> servers, float[] split, int localLayers) {
    public Placement {
        servers = List.copyOf(servers);
        split = split.clone();
        if (split.length != 0 && split.length != servers.size()) {
            throw new IllegalArgumentException("a split of " + split.length + " shares for " + servers.size()
                    + " RPC servers; give one share per server, or none to split by free memory");
        }
        for (float share : split) {
            if (!(share >= 0) || Float.isInfinite(share)) {
                throw new IllegalArgumentException("split " + Arrays.toString(split) + ": every share must be a "
                        + "finite number of 0 or more");
            }
        }
        if (split.length != 0 && sum(split) == 0) {
            throw new IllegalArgumentException("split " + Arrays.toString(split) + ": at least one share must be more "
                    + "than 0");
        }
        if (localLayers < 0) {
            throw new IllegalArgumentException("localLayers = " + localLayers + ": must be 0 or more");
        }
        if (servers.size() != servers.stream().distinct().count()) {
            throw new IllegalArgumentException("RPC servers " + servers + " name one server twice; name each once");
        }
    }

    /** Everything on this process's backend: no RPC servers. */
    public static Placement local() {
        return new Placement(List.of(), new float[0], 0);
    }

    /** Every layer on the RPC servers at {@code addresses} ({@code host:port}), split by their free memory. */
    public static Placement rpc(String... addresses) {
        return new Placement(Arrays.stream(addresses).map(RpcEndpoint::parse).toList(), new float[0], 0);
    }

    /** Reads the command line's {@code --rpc host:port,host:port}. */
    public static Placement parse(String servers) {
        return rpc(servers.split(","));
    }

    /** The same servers with the layers split in proportion to {@code shares}, one per server. */
    public Placement split(float... shares) {
        return new Placement(servers, shares, localLayers);
    }

    /** The same servers, with the first {@code layers} layers kept on this process's backend. */
    public Placement localLayers(int layers) {
        return new Placement(servers, split, layers);
    }

    /** Whether some layers live on RPC servers. */
    public boolean remote() {
        return !servers.isEmpty();
    }

    /** llama.cpp's {@code -ngl} for the same placement of a model of {@code layers} layers. */
    public int gpuLayers(int layers) {
        return Math.max(0, layers + 1 - localLayers);
    }

    /**
     * The device of each of a model's {@code layers} + 1 placement units (layer i, then the output layer), by
     * llama.cpp's rule: -1 for this process's backend, else the index of the server. {@code free} are the
     * servers' free bytes, used when no split was given.
     */
    public int[] assign(int layers, long[] free) {
        int devices = servers.size();
        float[] bounds = new float[devices];
        float total = 0;
        for (int d = 0; d < devices; d++) {
            total += split.length != 0 ? split[d] : (float) free[d];
            bounds[d] = total;
        }
        for (int d = 0; d < devices; d++) {
            bounds[d] /= total;
        }
        int onDevices = Math.min(gpuLayers(layers), layers + 1);
        int first = layers + 1 - onDevices;
        int[] out = new int[layers + 1];
        for (int unit = 0; unit <= layers; unit++) {
            if (devices == 0 || unit < first) {
                out[unit] = -1;
                continue;
            }
            float at = (float) (unit - first) / onDevices;
            int d = 0;
            while (d < devices && bounds[d] <= at) { // the first bound above 'at' (std::upper_bound)
                d++;
            }
            out[unit] = Math.min(d, devices - 1);
        }
        return out;
    }

    private static float sum(float[] values) {
        float total = 0;
        for (float v : values) {
            total += v;
        }
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Placement p && servers.equals(p.servers) && Arrays.equals(split, p.split)
                && localLayers == p.localLayers;
    }

    @Override
    public int hashCode() {
        return servers.hashCode() * 31 + Arrays.hashCode(split) * 7 + localLayers;
    }

    @Override
    public String toString() {
        if (!remote()) {
            return "local";
        }
        return "rpc " + servers + (split.length == 0 ? " by free memory" : " split " + Arrays.toString(split))
                + (localLayers == 0 ? "" : ", first " + localLayers + " layers local");
    }
}
