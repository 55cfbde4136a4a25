package dev.llmgraph.shell;

import jdk.jshell.tool.JavaShellToolBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph jshell}'s feedback mode: the real jshell tool, fed snippets on its input, shows values in full
 * where JShell's own normal mode cuts them in the middle.
 */
class JshellLauncherTest {
    private Preferences preferences;

    @BeforeEach
    void privateNode() {
        preferences = Preferences.userRoot().node("dev/llmgraph/test/jshell-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void removeNode() throws Exception {
        preferences.removeNode();
    }

    private String session(String snippets) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        JavaShellToolBuilder.builder().persistence(preferences)
                .in(new ByteArrayInputStream((snippets + "\n/exit\n").getBytes(StandardCharsets.UTF_8)), null)
                .out(print).err(print)
                .run("--execution", "local", "--class-path", System.getProperty("java.class.path"));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The line where the tool shows the value of {@code s} (the input is echoed too). */
    private static String valueLine(String output) {
        return output.lines().filter(line -> line.startsWith("s ==> ")).findFirst().orElse(output);
    }

    @Test
    void theLlmgraphModeShowsLongValuesInFullWhereNormalCutsThem() throws Exception {
        String snippet = "String s = \"ab\".repeat(100) + \"MIDDLE\" + \"ab\".repeat(100)";
        String normal = valueLine(session(snippet));
        assertTrue(normal.contains(" ... ") && !normal.contains("MIDDLE"), "JShell's normal mode truncates: " + normal);

        JshellLauncher.defineMode(preferences);
        String full = valueLine(session(snippet));

        assertTrue(full.equals("s ==> \"" + "ab".repeat(100) + "MIDDLE" + "ab".repeat(100) + "\""), full);
        assertTrue(JshellLauncher.hasMode(preferences));
    }

    @Test
    void aSpecComparisonShowsEveryRowWithoutCuts() throws Exception {
        JshellLauncher.defineMode(preferences);

        String out = session("var a = dev.llmgraph.presets.Presets.llama2_7b()\n"
                + "dev.llmgraph.display.Views.compare(a, a.withPlacement(dev.llmgraph.spec.NormPlacement.POST))");

        assertTrue(out.contains("norm placement") && out.contains("POST: x = N(x + F(x))")
                && out.contains("FLOPs per token"), out);
        assertFalse(out.contains(" ... "), out);
    }

    @Test
    void theModeIsDefinedOnceAndKept() throws Exception {
        assertFalse(JshellLauncher.hasMode(preferences));
        JshellLauncher.defineMode(preferences);
        String[] keys = preferences.keys();
        JshellLauncher.defineMode(preferences);
        assertTrue(java.util.Arrays.equals(keys, preferences.keys()));
    }
}
