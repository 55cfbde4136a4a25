package dev.llmgraph.ggml;

import java.lang.foreign.MemorySegment;

/**
 * A device of a ggml RPC server, as this process sees it ({@link RpcServers#devices}).
 *
 * @param endpoint where its server listens
 * @param index    its number on that server (0 for a server with one device)
 */
public record RemoteDevice(RpcEndpoint endpoint, int index, MemorySegment handle) {
    /** What the device is and how much memory it has free, asked of the server (checked first). */
    public Device describe() {
        RpcServers.ready(endpoint);
        return Device.of(handle);
    }

    /** A backend that computes on this device, for a {@link Scheduler}. */
    public Backend open() {
        return Backend.rpc(this);
    }

    @Override
    public String toString() {
        return endpoint + (index == 0 ? "" : " device " + index);
    }
}
