package dev.llmgraph.kernel;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The classic Jupyter Notebook server on localhost, with a random token, serving a folder of notebooks
 * with the llmgraph kernelspec of this build. Closing it ends the server, its kernels and every other
 * process it started.
 */
final class NotebookServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final String token;

    private NotebookServer(Process process, int port, String token) {
        this.process = process;
        this.port = port;
        this.token = token;
    }

    static NotebookServer start(Path notebookDir, Path work) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        ProcessBuilder builder = new ProcessBuilder(List.of(JupyterTools.JUPYTER.toString(), "notebook",
                "--no-browser", "--allow-root", "--ip=127.0.0.1", "--port=" + port, "--NotebookApp.port_retries=0",
                "--NotebookApp.token=" + token, "--notebook-dir=" + notebookDir))
                .redirectErrorStream(true).redirectOutput(work.resolve("notebook-server.log").toFile());
        builder.environment().putAll(JupyterTools.privateHome(work.resolve("jupyter-home")));
        NotebookServer server = new NotebookServer(builder.start(), port, token);
        server.awaitReady(work.resolve("notebook-server.log"));
        return server;
    }

    /** The page of {@code notebook}, logged in with the token. */
    String notebookUrl(String notebook) {
        return "http://127.0.0.1:" + port + "/notebooks/" + notebook + "?token=" + token;
    }

    private void awaitReady(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the notebook server ended at start:\n" + Files.readString(log));
            }
            try {
                var connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/api/status?token=" + token)
                        .toURL().openConnection();
                connection.setConnectTimeout(1000);
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the server is still starting
            }
            Thread.sleep(250);
        }
        fail("the notebook server did not answer within 60 s:\n" + Files.readString(log));
    }

    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy(); // SIGTERM: the server shuts its kernels down
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly();
        }
    }
}
