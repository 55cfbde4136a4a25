package dev.llmgraph.ggml;

/**
 * A device in another process (a ggml RPC server) could not be reached, has gone, or does not speak this
 * build's protocol. The message names the server's address.
 */
public final class RemoteDeviceException extends RuntimeException {
    private final RpcEndpoint endpoint;

    public RemoteDeviceException(RpcEndpoint endpoint, String problem) {
        super("RPC server " + endpoint + ": " + problem);
        this.endpoint = endpoint;
    }

    /** The server the problem is with. */
    public RpcEndpoint endpoint() {
        return endpoint;
    }
}
