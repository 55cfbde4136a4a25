package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.request.CompleteRequest;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import io.github.spencerpark.jupyter.messages.request.ShutdownRequest;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A short notebook session played against a kernel in this JVM, over ZeroMQ on the loopback interface, as a
 * Jupyter front end plays it: kernel_info, cells, a completion, shutdown. The start-up cache's training run
 * ({@code bin/aot-training.jsh}) calls it, so that the cache holds what a kernel's connection loads and profiles
 * (ZeroMQ, message signing, the wire library's JSON), not only the DSL's classes: a kernel started from such a
 * cache is connected ~0.4 s sooner on 2 cores (bench/NOTES.md, "Start-up with the ahead-of-time cache").
 */
public final class KernelRehearsal {
    /** How long a request may wait for its reply before the rehearsal gives up. */
    private static final int REPLY_MILLIS = 120_000;
    /** How often a request waiting for its reply looks whether the kernel's thread has ended. */
    private static final int POLL_MILLIS = 100;

    /** A kernel serving the connection file's text until it is shut down ({@link LlmgraphKernel#serve}). */
    interface KernelMain {
        void serve(String connectionJson) throws Exception;
    }

    private KernelRehearsal() {}

    /**
     * What the kernel answered: one status per cell ({@code ok}, or {@code error: } with the exception's class and
     * message) and the completion's matches.
     */
    public record Answers(List<String> cellStatuses, List<String> completions) {}

    /**
     * Starts a kernel in this JVM, runs {@code cells} in it one after another, asks it to complete
     * {@code completeCode} at its end, and shuts it down.
     *
     * @throws IllegalStateException when the kernel fails, or does not answer a request within two minutes
     */
    public static Answers play(List<String> cells, String completeCode) throws Exception {
        return play(cells, completeCode, LlmgraphKernel::serve);
    }

    static Answers play(List<String> cells, String completeCode, KernelMain kernelMain) throws Exception {
        String key = UUID.randomUUID().toString();
        int[] ports = freePorts(5);
        String connection = """
                {"ip": "127.0.0.1", "transport": "tcp", "signature_scheme": "hmac-sha256", "key": "%s",
                 "shell_port": %d, "control_port": %d, "stdin_port": %d, "hb_port": %d, "iopub_port": %d}"""
                .formatted(key, ports[0], ports[1], ports[2], ports[3], ports[4]);
        KernelThread kernel = new KernelThread(kernelMain, connection);
        HMACGenerator signer = KernelConnectionProperties.parse(connection).createHMACGenerator();
        ZMQ.Context context = ZMQ.context(1);
        try (FrontEndSocket shell = new FrontEndSocket(context, signer, ports[0], kernel);
             FrontEndSocket control = new FrontEndSocket(context, signer, ports[1], kernel)) {
            shell.ask(KernelInfoRequest.MESSAGE_TYPE, new KernelInfoRequest());
            List<String> statuses = new ArrayList<>();
            for (String cell : cells) {
                JsonNode reply = shell.ask(ExecuteRequest.MESSAGE_TYPE,
                        new ExecuteRequest(cell, false, true, Map.of(), false, true));
                String status = reply.path("status").asText();
                statuses.add(status.equals("error")
                        ? "error: " + reply.path("ename").asText() + ": " + reply.path("evalue").asText() : status);
            }
            List<String> matches = new ArrayList<>();
            shell.ask(CompleteRequest.MESSAGE_TYPE, new CompleteRequest(completeCode, completeCode.length()))
                    .path("matches").forEach(m -> matches.add(m.asText()));
            control.ask(ShutdownRequest.MESSAGE_TYPE, ShutdownRequest.SHUTDOWN);
            kernel.thread.join(REPLY_MILLIS);
            kernel.throwIfFailed("");
            return new Answers(statuses, matches);
        } finally {
            context.term();
        }
    }

    /** The thread the kernel serves on, started at once, and what it threw if it ended by an exception. */
    private static final class KernelThread {
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        KernelThread(KernelMain kernelMain, String connection) {
            thread = Thread.ofPlatform().name("llmgraph-rehearsal-kernel").start(() -> {
                try {
                    kernelMain.serve(connection);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
        }

        void throwIfFailed(String when) {
            if (failure.get() != null) {
                throw new IllegalStateException("the rehearsal kernel failed" + when + ": " + failure.get(),
                        failure.get());
            }
        }
    }

    /** {@code n} ports that were free on the loopback interface a moment ago. */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
                ports[i] = held.getLast().getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** A front end's end of a shell or control channel: it connects where the kernel binds, and signs alike. */
    private static final class FrontEndSocket extends JupyterSocket {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final ZMQ.Poller poller;
        private final KernelThread kernel;

        FrontEndSocket(ZMQ.Context context, HMACGenerator signer, int port, KernelThread kernel) {
            super(context, SocketType.DEALER, signer, Logger.getLogger(KernelRehearsal.class.getName()));
            setLinger(0);
            connect("tcp://127.0.0.1:" + port);
            poller = context.poller(1);
            poller.register(this, ZMQ.Poller.POLLIN);
            this.kernel = kernel;
        }

        @Override
        public void bind(KernelConnectionProperties connection) {
            throw new UnsupportedOperationException("a front end connects; the kernel binds");
        }

        /**
         * Sends a request and returns its reply's content. The reply is read here rather than by the wire library,
         * whose reader cannot take an error reply (status {@code error}) to an execute request.
         */
        <T> JsonNode ask(MessageType<T> type, T content) throws IOException {
            sendMessage(new Message<>(new Header<>(type), content));
            long waited = 0;
            while (poller.poll(POLL_MILLIS) <= 0) {
                // a kernel that failed before it bound its sockets never answers: say why at once
                if (!kernel.thread.isAlive()) {
                    kernel.throwIfFailed(" before it answered a " + type.getName());
                    throw new IllegalStateException("the rehearsal kernel ended before it answered a "
                            + type.getName());
                }
                waited += POLL_MILLIS;
                if (waited >= REPLY_MILLIS) {
                    throw new IllegalStateException("the rehearsal kernel did not answer a " + type.getName()
                            + " within " + REPLY_MILLIS / 1000 + " s");
                }
            }
            List<byte[]> frames = new ArrayList<>();
            do {
                frames.add(recv());
            } while (hasReceiveMore());
            int at = 0;
            while (at < frames.size() && !new String(frames.get(at), UTF_8).equals("<IDS|MSG>")) {
                at++;
            }
            if (frames.size() < at + 6) {
                throw new IllegalStateException("the rehearsal kernel's reply to a " + type.getName()
                        + " has " + frames.size() + " frames, not a Jupyter message");
            }
            List<byte[]> signed = frames.subList(at + 2, at + 6); // header, parent header, metadata, content
            String signature = new String(frames.get(at + 1), UTF_8);
            if (!hmacGenerator.calculateSignature(signed.toArray(byte[][]::new)).equals(signature)) {
                throw new IllegalStateException("the rehearsal kernel's reply to a " + type.getName()
                        + " is not signed with the connection's key");
            }
            return JSON.readTree(signed.get(3));
        }

        @Override
        public void close() {
            poller.close();
            super.close();
        }
    }
}
