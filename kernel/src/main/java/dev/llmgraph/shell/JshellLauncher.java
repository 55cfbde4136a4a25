package dev.llmgraph.shell;

import jdk.jshell.tool.JavaShellToolBuilder;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * {@code bin/llmgraph jshell}: the JDK's jshell tool, started in this JVM (so llmgraph's native libraries and
 * {@code --enable-native-access} apply to snippets run with {@code --execution local}), in the feedback mode
 * {@value #MODE}: JShell's {@code normal} mode without truncation. The stock modes cut a value's text in the
 * middle ({@code ffn ... eters}), which hides the rows of {@code Views.compare(a, b)} that differ.
 *
 * <p>The tool keeps its settings and history in a preferences node of its own ({@value #NODE}), so the mode and
 * the history of llmgraph sessions never change what a plain {@code jshell} shows.
 * {@code /set feedback normal -retain} there goes back to JShell's truncating mode.
 */
public final class JshellLauncher {
    /** The feedback mode llmgraph's JShell uses. */
    public static final String MODE = "llmgraph";
    /** The user preferences node holding the tool's settings and history. */
    public static final String NODE = "dev/llmgraph/jshell";
    /** JShell commands that define {@value #MODE} and make it the retained default. */
    static final String DEFINE_MODE = String.join("\n",
            "/set mode " + MODE + " normal -command",
            "/set truncation " + MODE + " 2000000",
            "/set mode " + MODE + " -retain",
            "/set feedback " + MODE + " -retain",
            "/exit", "");

    private JshellLauncher() {}

    public static void main(String[] args) throws Exception {
        Preferences preferences = Preferences.userRoot().node(NODE);
        defineMode(preferences);
        JavaShellToolBuilder.builder().persistence(preferences).start(args);
    }

    /** Defines {@value #MODE} in {@code preferences} unless an earlier start did. */
    static void defineMode(Preferences preferences) throws Exception {
        if (hasMode(preferences)) {
            return;
        }
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        JavaShellToolBuilder.builder().persistence(preferences)
                .in(new ByteArrayInputStream(DEFINE_MODE.getBytes(StandardCharsets.UTF_8)), null)
                .out(discard).err(discard).run("--execution", "local", "--no-startup", "-q");
        preferences.flush();
    }

    /** Whether the retained settings in {@code preferences} mention the mode (the tool's own key names vary). */
    static boolean hasMode(Preferences preferences) throws BackingStoreException {
        return Arrays.stream(preferences.keys()).anyMatch(key -> preferences.get(key, "").contains(MODE));
    }
}
