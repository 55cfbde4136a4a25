package dev.llmgraph.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/llmgraph run FILE.jsh [args]}: evaluates a JShell script in this JVM, snippet by snippet,
 * with llmgraph on the class path and the default imports. The script sees its arguments as
 * {@code String[] ARGS}. The first compile error or uncaught exception is reported at its script line
 * ({@code demo.jsh:4: error: ...}) and ends the run with exit code 1; a line {@code /exit} (or
 * {@code /exit N}) ends the script early.
 */
public final class ScriptRunner {
    private static final Pattern COMMAND = Pattern.compile("/(\\w+)[ \\t]*([^\\n]*)");
    private static volatile String[] scriptArgs = new String[0];

    private ScriptRunner() {}

    public static void main(String[] argv) throws IOException {
        if (argv.length == 0) {
            System.err.println("usage: bin/llmgraph run FILE.jsh [args...]");
            System.exit(2);
        }
        Path script = Path.of(argv[0]);
        if (!Files.isRegularFile(script)) {
            System.err.println("llmgraph: no such script: " + script);
            System.exit(2);
        }
        int status = run(script, Arrays.asList(argv).subList(1, argv.length), System.err);
        System.out.flush();
        // Threads the script started must not keep the JVM alive once the script is done.
        System.exit(status);
    }

    /** The script's arguments; the script reads them as {@code ARGS}. */
    public static String[] args() {
        return scriptArgs.clone();
    }

    /**
     * Runs {@code script}; problems go to {@code problems}. Returns the exit status: 0, 1 after an
     * error, or the number given to {@code /exit}.
     */
    public static int run(Path script, List<String> args, PrintStream problems) throws IOException {
        String text = Files.readString(script, StandardCharsets.UTF_8).replace("\r\n", "\n");
        String name = script.getFileName().toString();
        scriptArgs = args.toArray(String[]::new);
        try (ShellSession session = ShellSession.start(Locations.SCRIPT,
                List.of("String[] ARGS = " + ScriptRunner.class.getName() + ".args();"))) {
            session.startupProblems().forEach(p -> problems.println("llmgraph: " + p));
            int offset = 0;
            while (true) {
                int start = SnippetSplitter.skipBlanks(text, offset);
                if (start < text.length() && text.charAt(start) == '/' && isCommand(text, start)) {
                    Matcher command = COMMAND.matcher(text).region(start, text.length());
                    command.lookingAt();
                    int line = SnippetSplitter.lineAt(text, start);
                    if (!command.group(1).equals("exit")) {
                        problems.println(name + ":" + line + ": error: /" + command.group(1)
                                + " is a JShell command; scripts run by llmgraph understand only /exit");
                        return 1;
                    }
                    return exitStatus(command.group(2).strip(), name, line, problems);
                }
                SourceSnippet snippet = SnippetSplitter.next(session.analysis(), text, offset);
                if (snippet == null) {
                    return 0;
                }
                offset = snippet.offset() + snippet.length();
                SnippetOutcome outcome = session.eval(snippet, name);
                System.out.flush();
                switch (outcome) {
                    case SnippetOutcome.Rejected rejected -> {
                        rejected.lines().forEach(problems::println);
                        return 1;
                    }
                    case SnippetOutcome.Threw threw -> {
                        problems.println(threw.where() + ": " + threw.lines().getFirst());
                        threw.lines().subList(1, threw.lines().size()).forEach(problems::println);
                        return 1;
                    }
                    case SnippetOutcome.Completed completed -> completed.notes().forEach(
                            note -> problems.println(name + ":" + snippet.line() + ": note: " + note));
                }
            }
        }
    }

    /** A line that starts with {@code /} and a letter is a JShell command, not Java. */
    private static boolean isCommand(String text, int start) {
        boolean lineStart = start == 0 || text.charAt(start - 1) == '\n' || text.substring(
                text.lastIndexOf('\n', start - 1) + 1, start).isBlank();
        return lineStart && start + 1 < text.length() && Character.isLetter(text.charAt(start + 1));
    }

    private static int exitStatus(String argument, String name, int line, PrintStream problems) {
        if (argument.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(argument);
        } catch (NumberFormatException e) {
            problems.println(name + ":" + line + ": error: /exit takes a whole number, not '" + argument + "'");
            return 1;
        }
    }
}
