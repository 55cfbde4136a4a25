package dev.llmgraph.ggml;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where a ggml RPC server ({@code ggml-rpc-server}, {@code bin/llmgraph rpc-server}) listens.
 *
 * @param host a host name or an IP address (IPv6 without brackets)
 * @param port its TCP port, 1 to 65535
 */
public record RpcEndpoint(String host, int port) {
    public RpcEndpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("an RPC server needs a host, as in 192.168.1.20:50052");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("RPC server " + host + ":" + port + ": the port must be between 1 and "
                    + "65535");
        }
    }

    /** Reads {@code host:port} (an IPv6 address in brackets: {@code [::1]:50052}). */
    public static RpcEndpoint parse(String text) {
        String s = text == null ? "" : text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not an RPC server address; write host:port, as in "
                    + "192.168.1.20:50052 or localhost:50052");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the port '" + s.substring(colon + 1) + "' is not a "
                    + "number; write host:port, as in 192.168.1.20:50052");
        }
        return new RpcEndpoint(host, port);
    }

    /** The numeric address the host resolves to, as the system writes it. */
    String address() {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new RemoteDeviceException(this, "the host name " + host + " does not resolve; check the spelling "
                    + "or use the server's IP address");
        }
    }

    /** {@code host:port}, as ggml's RPC client and llama.cpp's {@code --rpc} write it. */
    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
