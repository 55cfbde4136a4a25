package dev.llmgraph.ggml;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The first message of ggml's RPC protocol, sent from Java before ggml's own client connects: ggml aborts the
 * process when a server is not there or does not answer, so llmgraph asks first and says what is wrong in words.
 * A request is a command byte, a little-endian 8-byte size and the payload; the reply a size and its payload.
 * HELLO (command 14) carries the client's transport capabilities (24 bytes, zero: plain TCP) and is answered
 * with the server's protocol version and its own capabilities. The server then waits for the next command, and
 * goes back to accepting clients when this one closes.
 */
final class RpcHello {
    private static final byte HELLO = 14;
    private static final int CAPABILITIES = 24;
    /** The protocol major version this build's client speaks (ggml-rpc.h's RPC_PROTO_MAJOR_VERSION). */
    static final int MAJOR = 7;

    private RpcHello() {}

    /** The server's protocol version, {@code major.minor.patch}, once it has answered. */
    static String version(RpcEndpoint endpoint, int connectMillis, int answerMillis) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), connectMillis);
            } catch (SocketTimeoutException e) {
                throw new RemoteDeviceException(endpoint, "no answer to a connection within " + connectMillis / 1000.0
                        + " s; is the host up, and does a firewall let port " + endpoint.port() + " through?");
            }
            socket.setSoTimeout(answerMillis);
            OutputStream out = socket.getOutputStream();
            ByteBuffer request = ByteBuffer.allocate(1 + 8 + CAPABILITIES).order(ByteOrder.LITTLE_ENDIAN);
            request.put(HELLO).putLong(CAPABILITIES);
            out.write(request.array());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] size = new byte[8];
            in.readFully(size);
            long length = ByteBuffer.wrap(size).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (length != 4 + CAPABILITIES) {
                throw new RemoteDeviceException(endpoint, "answered the RPC greeting with " + length + " bytes, not "
                        + (4 + CAPABILITIES) + "; it speaks another version of ggml's RPC protocol: run the "
                        + "rpc-server built from the same llama.cpp source as llmgraph (bin/llmgraph rpc-server)");
            }
            byte[] reply = new byte[(int) length];
            in.readFully(reply);
            int major = reply[0] & 0xff;
            String version = major + "." + (reply[1] & 0xff) + "." + (reply[2] & 0xff);
            if (major != MAJOR) {
                throw new RemoteDeviceException(endpoint, "speaks ggml's RPC protocol " + version + ", and this "
                        + "llmgraph speaks " + MAJOR + ".x; run the rpc-server built from the same llama.cpp source as "
                        + "llmgraph (bin/llmgraph rpc-server)");
            }
            return version;
        } catch (ConnectException e) {
            throw new RemoteDeviceException(endpoint, "nothing listens there (the connection was refused); start one "
                    + "with bin/llmgraph rpc-server --host H --port P on that machine, or remove it from the list");
        } catch (SocketTimeoutException e) {
            throw new RemoteDeviceException(endpoint, "did not answer within " + answerMillis / 1000.0 + " s; an "
                    + "rpc-server serves one client at a time, so another program may be using it (or it is not an "
                    + "RPC server, or a firewall drops the connection)");
        } catch (EOFException e) {
            throw new RemoteDeviceException(endpoint, "closed the connection without answering the RPC greeting; it "
                    + "is not a ggml RPC server of this protocol version");
        } catch (IOException e) {
            throw new RemoteDeviceException(endpoint, "cannot be reached: " + e);
        }
    }
}
