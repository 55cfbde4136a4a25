import dev.llmgraph.shell.DefaultImports;
import dev.llmgraph.shell.InProcessExecution;
import dev.llmgraph.shell.ShellSession;
import jdk.jshell.JShell;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

/**
 * Where a fresh JVM's first JShell result goes, in the steps the Jupyter kernel takes before notebook 01's first
 * cell: build a JShell, evaluate the default imports as {@link ShellSession} does (the package imports in one
 * snippet; or each import in its own, as it did before, with the argument {@code separate}), then a println. Run by
 * bench/jshell-startup.sh (compiled ahead, so that javac is as cold as in the kernel).
 */
public class JshellStartup {
    public static void main(String[] args) {
        long jvm = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        long t0 = System.nanoTime();
        JShell shell = JShell.builder().executionEngine(new InProcessExecution().provider(), Map.of()).build();
        for (String entry : System.getProperty("java.class.path").split(":")) {
            shell.addToClasspath(entry);
        }
        long t1 = System.nanoTime();
        List<String> imports = DefaultImports.statements();
        boolean separate = args.length > 0 && args[0].equals("separate");
        List<String> snippets = separate ? imports : ShellSession.importSnippets(imports);
        long first = 0;
        for (int i = 0; i < snippets.size(); i++) {
            long s = System.nanoTime();
            shell.eval(snippets.get(i));
            first = i == 0 ? System.nanoTime() - s : first;
        }
        long t2 = System.nanoTime();
        shell.eval("System.out.println(\"Java \" + Runtime.version());");
        long t3 = System.nanoTime();
        System.out.printf("main at %d ms after JVM start; JShell built in %.0f ms; %d imports %.0f ms "
                + "in %d snippets (the first %.0f); first println %.0f ms; total from main %.0f ms%n", jvm,
                (t1 - t0) / 1e6, imports.size(), (t2 - t1) / 1e6, snippets.size(), first / 1e6, (t3 - t2) / 1e6,
                (t3 - t0) / 1e6);
    }
}
