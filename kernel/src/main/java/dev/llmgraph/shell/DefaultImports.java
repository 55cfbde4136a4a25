package dev.llmgraph.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The imports every front end applies before the first line of user code: JShell's own default set (so
 * that a notebook cell and {@code bin/llmgraph jshell} accept the same code) followed by every
 * {@code META-INF/llmgraph/imports.txt} on the class path, which the DSL extends as it grows.
 */
public final class DefaultImports {
    /** The resource each module may ship; one import per line, {@code #} starts a comment. */
    public static final String RESOURCE = "META-INF/llmgraph/imports.txt";

    /** What the jshell tool's DEFAULT startup imports. */
    private static final List<String> JSHELL_DEFAULTS = List.of(
            "java.io.*", "java.math.*", "java.net.*", "java.nio.file.*", "java.util.*",
            "java.util.concurrent.*", "java.util.function.*", "java.util.prefs.*", "java.util.regex.*",
            "java.util.stream.*");

    private DefaultImports() {}

    /**
     * Writes the llmgraph imports as a JShell startup file, for {@code bin/llmgraph jshell}, which
     * starts the jshell tool with {@code --startup DEFAULT --startup FILE} (DEFAULT has JShell's own).
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java ... " + DefaultImports.class.getName() + " STARTUP_FILE.jsh");
            System.exit(2);
        }
        StringBuilder text = new StringBuilder("// Written by bin/llmgraph from " + RESOURCE + "; edits are lost.\n");
        for (String name : llmgraphImports()) {
            text.append("import ").append(name).append(";\n");
        }
        java.nio.file.Path file = java.nio.file.Path.of(args[0]);
        if (file.getParent() != null) {
            java.nio.file.Files.createDirectories(file.getParent());
        }
        java.nio.file.Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** JShell's defaults, then the llmgraph imports, each as a statement such as {@code import java.util.*;}. */
    public static List<String> statements() {
        Set<String> names = new LinkedHashSet<>(JSHELL_DEFAULTS);
        names.addAll(llmgraphImports());
        List<String> out = new ArrayList<>();
        for (String name : names) {
            out.add("import " + name + ";");
        }
        return out;
    }

    /** The names listed in every {@value #RESOURCE} on the class path, in class-path order. */
    public static List<String> llmgraphImports() {
        Set<String> names = new LinkedHashSet<>();
        try {
            for (URL url : Collections.list(DefaultImports.class.getClassLoader().getResources(RESOURCE))) {
                try (InputStream in = url.openStream()) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        String name = line.strip();
                        if (!name.isEmpty() && !name.startsWith("#")) {
                            names.add(name.endsWith(";") ? name.substring(0, name.length() - 1) : name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE + " from the class path", e);
        }
        return List.copyOf(names);
    }
}
