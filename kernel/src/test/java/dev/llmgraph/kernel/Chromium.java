package dev.llmgraph.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headless Chromium for the browser tests: Debian's {@code /usr/bin/chromium}, driven by a Node.js script from
 * {@code src/test/resources/browser/} through playwright-core (the library only, from npm; it downloads no browser).
 */
final class Chromium {
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    private static final String PLAYWRIGHT_VERSION = "1.65.1";

    private Chromium() {}

    /** Skips the calling test, saying what to install, unless Chromium, Node.js and npm are here. */
    static void assume() {
        assumeTrue(Files.isExecutable(BROWSER),
                "Chromium is not installed; install the Debian package chromium (apt-get install chromium) "
                        + "to run the browser test");
        assumeTrue(onPath("npm") && onPath("node"),
                "Node.js and npm are not installed; install the Debian packages nodejs npm to run the browser test");
    }

    /**
     * Runs {@code script} (a resource under {@code /browser/}) with {@code args} in {@code work} and returns the last
     * line it printed (its JSON summary); its standard error goes to {@code work/<script>-stderr.txt}.
     */
    static String runScript(String script, Path work, List<String> args) throws IOException, InterruptedException {
        Path playwright = installPlaywrightCore();
        Path file = work.resolve(script);
        try (InputStream in = Chromium.class.getResourceAsStream("/browser/" + script)) {
            Files.write(file, in.readAllBytes());
        }
        List<String> command = new ArrayList<>(List.of("node", file.toString()));
        command.addAll(args);
        Path stderr = work.resolve(script + "-stderr.txt");
        ProcessBuilder node = new ProcessBuilder(command).redirectError(stderr.toFile());
        node.environment().put("PLAYWRIGHT_CORE", playwright.toString());
        node.environment().put("CHROMIUM", BROWSER.toString());
        Process process = node.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new BrowserRunFailed(script + " failed:\n" + out + "\n" + Files.readString(stderr));
        }
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    /** A browser script that did not finish; the caller adds what else it knows (a server log). */
    static final class BrowserRunFailed extends IOException {
        BrowserRunFailed(String message) {
            super(message);
        }
    }

    /** playwright-core in a cache folder kept between builds. */
    private static synchronized Path installPlaywrightCore() throws IOException, InterruptedException {
        String cache = System.getenv().getOrDefault("LLMGRAPH_CACHE",
                System.getProperty("user.home") + "/.cache/llmgraph");
        Path dir = Path.of(cache, "node", "playwright-core-" + PLAYWRIGHT_VERSION);
        Path module = dir.resolve("node_modules/playwright-core");
        if (!Files.isRegularFile(module.resolve("package.json"))) {
            Files.createDirectories(dir);
            ProcessBuilder npm = new ProcessBuilder("npm", "install", "--prefix", dir.toString(), "--no-audit",
                    "--no-fund", "--no-save", "playwright-core@" + PLAYWRIGHT_VERSION).redirectErrorStream(true);
            npm.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            Process process = npm.start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0
                    || !Files.isRegularFile(module.resolve("package.json"))) {
                fail("npm install playwright-core@" + PLAYWRIGHT_VERSION + " failed:\n" + log);
            }
        }
        return module;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir.isEmpty() ? "." : dir, command))) {
                return true;
            }
        }
        return false;
    }
}
