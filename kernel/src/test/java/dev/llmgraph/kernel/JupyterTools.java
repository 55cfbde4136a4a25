package dev.llmgraph.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real Jupyter that notebook tests drive (Debian's packages), and a private Jupyter home for each
 * test: the llmgraph kernelspec in a temporary JUPYTER_PATH, so a test never touches the user's own.
 */
final class JupyterTools {
    static final Path JUPYTER = Path.of("/usr/bin/jupyter");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final String PACKAGES = "jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel";

    private JupyterTools() {}

    /** Skips the calling test, saying what to install, unless Jupyter and jupyter_client are here. */
    static void assumeJupyter() {
        assumeTrue(Files.isExecutable(JUPYTER) && pythonHas("jupyter_client", "nbclient", "nbconvert", "notebook"),
                "Jupyter is not installed; install the Debian packages " + PACKAGES
                        + " (apt-get install " + PACKAGES + ") to run the notebook tests");
    }

    private static boolean pythonHas(String... modules) {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import " + String.join(", ", modules))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Makes {@code home} a Jupyter home with the llmgraph kernelspec (this build's class path) and
     * returns the environment that points Jupyter at it.
     */
    static Map<String, String> privateHome(Path home) throws IOException {
        Path share = home.resolve("share");
        KernelSpec.install(share, KernelSpec.argv(TestJvm.java(), TestJvm.flags(), TestJvm.classPath()));
        for (String dir : new String[] {"data", "runtime", "config", "ipython"}) {
            Files.createDirectories(home.resolve(dir));
        }
        return Map.of(
                "JUPYTER_PATH", share.toString(),
                "JUPYTER_DATA_DIR", home.resolve("data").toString(),
                "JUPYTER_RUNTIME_DIR", home.resolve("runtime").toString(),
                "JUPYTER_CONFIG_DIR", home.resolve("config").toString(),
                "IPYTHONDIR", home.resolve("ipython").toString(),
                "PYDEVD_DISABLE_FILE_VALIDATION", "1");
    }
}
