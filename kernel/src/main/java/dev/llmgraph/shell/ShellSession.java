package dev.llmgraph.shell;

import jdk.jshell.DeclarationSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

import java.io.File;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A JShell that runs code in this JVM with llmgraph on the class path and the default imports applied:
 * what the notebook kernel and the script runner share. Not thread-safe: one thread evaluates.
 */
public final class ShellSession implements AutoCloseable {
    private final JShell shell;
    private final InProcessExecution execution;
    private final Locations locations;
    private final List<String> startupProblems = new ArrayList<>();
    private final Deque<String> importsToRestate = new ArrayDeque<>();

    private ShellSession(Locations.Style style) {
        this.execution = new InProcessExecution();
        this.locations = new Locations(style);
        this.shell = JShell.builder().executionEngine(execution.provider(), java.util.Map.of()).build();
    }

    /**
     * Starts a session: the JVM's class path becomes JShell's (so cells see llmgraph and its
     * dependencies), then JShell's default imports, {@code imports.txt}'s and {@code extraImports}.
     */
    public static ShellSession start(Locations.Style style, List<String> extraImports) {
        ShellSession session = new ShellSession(style);
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                session.shell.addToClasspath(entry);
            }
        }
        List<String> imports = new ArrayList<>(DefaultImports.statements());
        imports.addAll(extraImports);
        List<String> snippets = importSnippets(imports);
        if (session.problem(snippets.getFirst()) == null) {
            session.importsToRestate.addAll(packageImports(imports));
            snippets = snippets.subList(1, snippets.size());
        } else {
            snippets = imports; // one of the packages does not compile: say which
        }
        for (String statement : snippets) {
            String why = session.problem(statement);
            if (why != null) {
                session.startupProblems.add(statement + " failed: " + why);
            }
        }
        return session;
    }

    /**
     * The first import of the one snippet that holds the default imports of whole packages ({@code java.util.*}).
     * JShell compiles every snippet with javac, and one snippet of 23 imports starts ~0.2 s sooner than 23 snippets
     * on 2 cores (bench/jshell-startup.sh). JShell names an import snippet after its first import, and a later import
     * of that name replaces the whole snippet: this one, which every compilation unit has anyway, is one that no cell
     * imports again, so a cell's {@code import java.util.*;} adds to the defaults instead of taking the others away.
     * Imports of single types ({@code dev.llmgraph.ggml.Backend}) stay one snippet each, so that a cell's import of
     * another type by that name replaces the default instead of clashing with it.
     */
    public static final String IMPORTS_KEY = "import java.lang.Object;";

    /** The snippets that apply {@code imports}: the package imports in one ({@link #IMPORTS_KEY}), then the rest. */
    public static List<String> importSnippets(List<String> imports) {
        List<String> snippets = new ArrayList<>();
        snippets.add(IMPORTS_KEY + " " + String.join(" ", packageImports(imports)));
        snippets.addAll(imports.stream().filter(i -> !i.endsWith(".*;")).toList());
        return snippets;
    }

    private static List<String> packageImports(List<String> imports) {
        return imports.stream().filter(i -> i.endsWith(".*;")).toList();
    }

    /**
     * Evaluates the next default package import again as a snippet of its own; false when none is left. JShell prints
     * a type by its simple name (in signatures, say) only where an import snippet names it or its package, and it
     * names each snippet after its first import only; the kernel restates the packages one by one while it is idle.
     */
    public boolean restateNextImport() {
        String statement = importsToRestate.poll();
        if (statement != null) {
            shell.eval(statement);
        }
        return statement != null;
    }

    /** {@link #restateNextImport()} until every default package import is also a snippet of its own. */
    public void restateImports() {
        while (restateNextImport()) {
            // one import each
        }
    }

    /** Evaluates {@code source}; why JShell rejected it, or null when it did not. */
    private String problem(String source) {
        for (SnippetEvent event : shell.eval(source)) {
            if (event.status() == Snippet.Status.REJECTED) {
                return shell.diagnostics(event.snippet()).findFirst()
                        .map(d -> d.getMessage(java.util.Locale.ROOT).split("\n")[0]).orElse("rejected");
            }
        }
        return null;
    }

    /** Imports that did not compile (a package listed in imports.txt that does not exist, say). */
    public List<String> startupProblems() {
        return List.copyOf(startupProblems);
    }

    public SourceCodeAnalysis analysis() {
        return shell.sourceCodeAnalysis();
    }

    public JShell jshell() {
        return shell;
    }

    public InProcessExecution execution() {
        return execution;
    }

    public List<SourceSnippet> split(String text) {
        return SnippetSplitter.split(shell.sourceCodeAnalysis(), text);
    }

    /**
     * Evaluates one snippet that came from {@code origin} ({@code demo.jsh}, {@code cell [3]}); its
     * lines are numbered from {@link SourceSnippet#line()} in every later message.
     */
    public SnippetOutcome eval(SourceSnippet snippet, String origin) {
        execution.resetValue();
        List<SnippetEvent> events = shell.eval(snippet.source());
        InProcessExecution.Value value = execution.takeValue();
        List<String> notes = new ArrayList<>();
        boolean expression = false;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) {
                continue; // a dependent snippet that JShell re-checked, not this one
            }
            Snippet created = event.snippet();
            locations.record(created.id(), origin, snippet.line());
            if (event.status() == Snippet.Status.REJECTED) {
                List<String> lines = ProblemText.compileErrors(shell.diagnostics(created).toList(), snippet, origin,
                        locations);
                if (lines.isEmpty()) {
                    lines = List.of(locations.place(origin, snippet.line(), 1) + ": error: this code is incomplete");
                }
                return new SnippetOutcome.Rejected(lines.getFirst(), lines);
            }
            if (event.exception() != null) {
                List<String> lines = ProblemText.exception(shell, event.exception(), locations);
                String where = ProblemText.innermostUserPlace(event.exception(), locations);
                return new SnippetOutcome.Threw(ProblemText.exceptionClass(event.exception()),
                        event.exception().getMessage(),
                        where != null ? where : locations.place(origin, snippet.line(), 1), lines);
            }
            if ((event.status() == Snippet.Status.RECOVERABLE_DEFINED
                    || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED)
                    && created instanceof DeclarationSnippet declaration) {
                notes.add(ProblemText.unresolved(shell, declaration));
            }
            expression = created.kind() == Snippet.Kind.EXPRESSION
                    || created.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
        }
        return new SnippetOutcome.Completed(value, expression, notes);
    }

    /**
     * {@code t}, thrown by code the user wrote but outside an evaluation (a display renderer, a callback), as a
     * stack trace whose snippet frames name the user's lines ({@code render(cell [3] line 2)}).
     */
    public List<String> stackTrace(Throwable t) {
        return ProblemText.thrown(t, locations);
    }

    @Override
    public void close() {
        shell.close();
    }
}
