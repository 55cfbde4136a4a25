package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.RpcApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ggml RPC servers this process uses: their devices, the backends that compute on them, and whether they are
 * still there.
 *
 * <p>ggml's RPC client aborts the whole process when a server it talks to is unreachable or has gone (it has no
 * error path), which would take a notebook's kernel down with it. So llmgraph never lets it talk to a server it
 * has not checked: before the first connection it greets the server from Java ({@link RpcHello}); while
 * connected, it looks before every computation at the connection, which the operating system marks as closed when
 * the server process ends ({@link #check}). A server found gone is remembered as lost: computations that need it
 * fail with a {@link RemoteDeviceException} that names it, and closing a model frees nothing on it (which would
 * send a message), so the model closes cleanly and can be loaded again on the devices that remain.
 *
 * <p>What this cannot catch: a server that dies in the middle of a computation, or a host that vanishes without
 * closing its connections (power loss, a cut cable), stops ggml's client inside that computation, which then
 * aborts or waits for TCP to give up. Keep RPC servers on a reliable network.
 */
public final class RpcServers {
    private static final int CONNECT_MILLIS = Integer.getInteger("llmgraph.rpc.connectMillis", 3000);
    private static final int ANSWER_MILLIS = Integer.getInteger("llmgraph.rpc.answerMillis", 10000);

    private static final Set<RpcEndpoint> lost = ConcurrentHashMap.newKeySet();
    /** The connection of ggml's client to each server, last seen: a file descriptor of this process. */
    private static final Map<RpcEndpoint, Integer> watched = new ConcurrentHashMap<>();
    private static final Map<RpcEndpoint, MemorySegment> addresses = new ConcurrentHashMap<>();

    private RpcServers() {}

    /**
     * The devices of the server at {@code endpoint}, after greeting it: a server started with several devices
     * ({@code rpc-server -d CUDA0,CUDA1}) offers each.
     *
     * @throws RemoteDeviceException when nothing listens there, it does not answer, or it speaks another protocol
     */
    public static synchronized List<RemoteDevice> devices(RpcEndpoint endpoint) {
        if (lost.contains(endpoint)) {
            throw new RemoteDeviceException(endpoint, "this process lost its connection to the server there earlier, "
                    + "and ggml's RPC client keeps that broken connection for as long as the process runs; start the "
                    + "new server on another port, or restart this JVM (in a notebook: restart the kernel)");
        }
        ready(endpoint);
        MemorySegment reg;
        try (Arena arena = Arena.ofConfined()) {
            reg = RpcApi.ggml_backend_rpc_add_server(arena.allocateFrom(endpoint.toString()));
        }
        if (Downcalls.isNull(reg)) {
            throw new RemoteDeviceException(endpoint, "offers no devices; start it with at least one (rpc-server -d "
                    + "CPU, or a GPU)");
        }
        List<RemoteDevice> devices = new ArrayList<>();
        for (long i = 0, n = RpcApi.ggml_backend_reg_dev_count(reg); i < n; i++) {
            devices.add(new RemoteDevice(endpoint, (int) i, RpcApi.ggml_backend_reg_dev_get(reg, i)));
        }
        return devices;
    }

    /** The server's first device ({@link #devices}). */
    public static RemoteDevice device(RpcEndpoint endpoint) {
        return devices(endpoint).getFirst();
    }

    /**
     * Makes sure ggml's client can talk to the server without aborting: greets it when this process holds no
     * connection to it (ggml's client is about to open one), else checks the connection it holds.
     */
    static synchronized void ready(RpcEndpoint endpoint) {
        // ggml keeps one connection per server while anything of it (a backend, a buffer) is alive, and reuses it
        if (connections(endpoint) == 0 && !lost.contains(endpoint)) {
            RpcHello.version(endpoint, CONNECT_MILLIS, ANSWER_MILLIS);
        } else {
            check(endpoint);
        }
    }

    /**
     * Throws when the server at {@code endpoint} has gone: it was found lost before, or this process's
     * connection to it has been closed by the server. Sends nothing.
     */
    public static void check(RpcEndpoint endpoint) {
        if (lost.contains(endpoint)) {
            throw gone(endpoint);
        }
        // Before every computation: the connection found last time is polled (microseconds); only when it is not
        // there any more are all of this process's files looked through again (a few hundred microseconds).
        Integer fd = watched.get(endpoint);
        int state = fd == null ? 0 : RpcApi.llmgraph_rpc_watch(fd, address(endpoint), endpoint.port());
        if (state == 0) {
            watched.remove(endpoint);
            state = connections(endpoint);
        }
        if (state == -1) {
            lost.add(endpoint);
            throw gone(endpoint);
        }
    }

    /**
     * This process's open connections to the server (remembering the first for {@link #check}), or -1 when the
     * server has closed one.
     */
    private static int connections(RpcEndpoint endpoint) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment first = arena.allocate(Downcalls.INT);
            int count = RpcApi.llmgraph_rpc_connections(address(endpoint), endpoint.port(), MemorySegment.NULL, first);
            if (count > 0) {
                watched.put(endpoint, first.get(Downcalls.INT, 0));
            }
            return count;
        }
    }

    /** The server's numeric address as a C string, resolved once per server. */
    private static MemorySegment address(RpcEndpoint endpoint) {
        return addresses.computeIfAbsent(endpoint, e -> Arena.global().allocateFrom(e.address()));
    }

    /** Whether the server at {@code endpoint} has been found gone (then nothing more is sent to it). */
    public static boolean lost(RpcEndpoint endpoint) {
        if (lost.contains(endpoint)) {
            return true;
        }
        try {
            check(endpoint);
            return false;
        } catch (RemoteDeviceException e) {
            return true;
        }
    }

    private static RemoteDeviceException gone(RpcEndpoint endpoint) {
        return new RemoteDeviceException(endpoint, "the server has gone (its connection was closed: the process "
                + "ended or was killed); close this model and load it again without this server, or start the "
                + "server again and reload");
    }

    /**
     * What this process has sent to and received from the server so far, over its open connections (the
     * kernel's TCP counters): the network cost of a computation is the difference of two readings.
     */
    public static Traffic traffic(RpcEndpoint endpoint) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment counters = arena.allocate(Downcalls.INT64, 4);
            RpcApi.llmgraph_rpc_connections(address(endpoint), endpoint.port(), counters, MemorySegment.NULL);
            return new Traffic(counters.getAtIndex(Downcalls.INT64, 0), counters.getAtIndex(Downcalls.INT64, 1),
                    counters.getAtIndex(Downcalls.INT64, 2), counters.getAtIndex(Downcalls.INT64, 3));
        }
    }

    /**
     * Bytes and TCP segments sent to and received from one server.
     *
     * @param bytesSent     bytes the server has acknowledged
     * @param bytesReceived bytes received from it
     * @param segmentsSent  TCP segments sent (a message of up to about 64 KiB is one segment on localhost)
     * @param segmentsReceived TCP segments received
     */
    public record Traffic(long bytesSent, long bytesReceived, long segmentsSent, long segmentsReceived) {
        public Traffic minus(Traffic before) {
            return new Traffic(bytesSent - before.bytesSent, bytesReceived - before.bytesReceived,
                    segmentsSent - before.segmentsSent, segmentsReceived - before.segmentsReceived);
        }
    }
}
