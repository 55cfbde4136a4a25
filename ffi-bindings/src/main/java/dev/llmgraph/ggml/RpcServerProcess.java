package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.NativeLibraries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A ggml RPC server ({@code ggml-rpc-server}, built from the pinned llama.cpp source by {@code native/build.sh})
 * started by this process: for tests, notebooks and benchmarks on one machine. On a real cluster start one per
 * host with {@code bin/llmgraph rpc-server}. Closing it kills the process.
 */
public final class RpcServerProcess implements AutoCloseable {
    private static final long START_MILLIS = 20_000;

    private final Process process;
    private final RpcEndpoint endpoint;
    private final Path log;

    private RpcServerProcess(Process process, RpcEndpoint endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** The server binary built next to the native libraries. */
    public static Path binary() {
        Path binary = NativeLibraries.directory().resolve("ggml-rpc-server");
        if (!Files.isExecutable(binary)) {
            throw new NativeLibraryException("no ggml-rpc-server in " + NativeLibraries.directory() + "; rebuild the "
                    + "native libraries with " + NativeLibraries.BUILD_COMMAND + ", which builds it");
        }
        return binary;
    }

    /**
     * Starts a server on 127.0.0.1 at a free port, computing on this machine's CPU with {@code threads} threads,
     * and waits until it accepts connections.
     */
    public static RpcServerProcess startLocal(int threads) {
        return start("127.0.0.1", freePort(), threads, "CPU");
    }

    /**
     * Starts a server listening on {@code host}:{@code port} with the ggml devices {@code devices} (e.g.
     * {@code CPU}, {@code CUDA0}), and waits until it accepts connections.
     */
    public static RpcServerProcess start(String host, int port, int threads, String devices) {
        RpcEndpoint endpoint = new RpcEndpoint(host, port);
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": an RPC server needs at least 1");
        }
        CpuThreads.requireAtMostMax("threads", threads);
        List<String> command = new ArrayList<>(List.of(binary().toString(), "-H", host, "-p", Integer.toString(port),
                "-t", Integer.toString(threads), "-d", devices));
        try {
            Path log = Files.createTempFile("llmgraph-rpc-server-" + port + "-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            RpcServerProcess server = new RpcServerProcess(process, endpoint, log);
            server.awaitListening();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", command), e);
        }
    }

    private void awaitListening() {
        long deadline = System.currentTimeMillis() + START_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new RemoteDeviceException(endpoint, "the server stopped at start with exit code "
                        + process.exitValue() + ": " + output());
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), 500);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    close();
                    throw new RemoteDeviceException(endpoint, "interrupted while waiting for the server to start");
                }
            }
        }
        close();
        throw new RemoteDeviceException(endpoint, "the server did not listen within " + START_MILLIS / 1000
                + " s: " + output());
    }

    /** A TCP port nothing listens on now (the system's choice). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free TCP port", e);
        }
    }

    public RpcEndpoint endpoint() {
        return endpoint;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the server printed so far. */
    public String output() {
        try {
            return Files.readString(log).strip();
        } catch (IOException e) {
            return "(its log " + log + " cannot be read: " + e.getMessage() + ")";
        }
    }

    /** Kills the server at once (SIGKILL), as a crash or a pulled plug would end it, and waits for it to end. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a leftover log in the temporary folder
        }
    }

    @Override
    public String toString() {
        return "rpc-server " + endpoint + (isAlive() ? "" : " (ended)");
    }
}
