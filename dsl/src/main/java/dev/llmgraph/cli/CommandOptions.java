package dev.llmgraph.cli;

import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.model.Placement;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The option reading the GGUF commands ({@code logits}, {@code parity}, {@code generate}) share:
 * {@code --option value} pairs and flags, each known and given once, each option with a value; a GGUF file that
 * exists; a comma-separated token list; numbers; a backend.
 */
final class CommandOptions {
    /** A command line that cannot be run as it is. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    private CommandOptions() {}

    /**
     * A command line read by a command: its arguments, or, after --help or a usage problem (printed as
     * "llmgraph NAME: problem (usage)"), the exit code to return instead.
     */
    record Parsed<A>(A arguments, int exitCode) {
        boolean done() {
            return arguments == null;
        }
    }

    /** Answers --help / -h with {@code help}, else parses {@code args}; a refused line becomes exit code 2. */
    static <A> Parsed<A> parse(String command, String[] args, String help, String usage,
                               Function<String[], A> parser, PrintStream out, PrintStream err) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.print(help);
            return new Parsed<>(null, 0);
        }
        try {
            return new Parsed<>(parser.apply(args), 0);
        } catch (IllegalArgumentException e) {
            err.println("llmgraph " + command + ": " + e.getMessage() + " (" + usage + ")");
            return new Parsed<>(null, 2);
        }
    }

    /** Option to value; every option must be in {@code known}, and every one in {@code required} present. */
    static Map<String, String> values(String[] args, List<String> known, List<String> required) {
        return values(args, known, List.of(), required);
    }

    /**
     * Option to value, as {@link #values(String[], List, List)}, with {@code flags}: options without a value
     * (e.g. {@code --chat}), mapped to {@code "true"} when given.
     */
    static Map<String, String> values(String[] args, List<String> known, List<String> flags, List<String> required) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (flags.contains(option)) {
                if (values.put(option, "true") != null) {
                    throw new UsageException(option + " is given twice");
                }
                continue;
            }
            if (!known.contains(option)) {
                throw new UsageException("unknown argument '" + option + "'");
            }
            if (i + 1 >= args.length) {
                throw new UsageException(option + " needs a value");
            }
            if (values.put(option, args[++i]) != null) {
                throw new UsageException(option + " is given twice");
            }
        }
        for (String option : required) {
            if (!values.containsKey(option)) {
                throw new UsageException(option + " is missing");
            }
        }
        return values;
    }

    /** The file named by {@code --gguf}, which must exist. */
    static Path gguf(Map<String, String> values) {
        Path gguf = Path.of(values.get("--gguf"));
        if (!Files.isRegularFile(gguf)) {
            throw new UsageException("--gguf " + gguf + ": no such file");
        }
        return gguf;
    }

    /**
     * The folder of {@code --hf}, which must hold a config.json, or else the file of {@code --gguf}: exactly one of
     * them must be given.
     */
    static Path checkpointOrGguf(Map<String, String> values) {
        if (values.containsKey("--gguf") == values.containsKey("--hf")) {
            throw new UsageException(values.containsKey("--gguf") ? "give --gguf or --hf, not both"
                    : "--gguf or --hf is missing");
        }
        if (!values.containsKey("--hf")) {
            return gguf(values);
        }
        Path dir = Path.of(values.get("--hf"));
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new UsageException("--hf " + dir + ": no config.json there; give the folder of a Hugging Face "
                    + "checkpoint");
        }
        return dir;
    }

    /** The ids of a {@code --tokens 1,2,3} list; none negative. */
    static int[] tokens(String list) {
        String[] parts = list.split(",", -1);
        int[] tokens = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            tokens[i] = integer("--tokens", parts[i].trim());
            if (tokens[i] < 0) {
                throw new UsageException("--tokens: token id " + tokens[i] + " is negative");
            }
        }
        return tokens;
    }

    /** {@code --threads} if given (at least 1), else {@code otherwise}. */
    static int threads(Map<String, String> values, int otherwise) {
        if (!values.containsKey("--threads")) {
            return otherwise;
        }
        int threads = integer("--threads", values.get("--threads"));
        if (threads < 1) {
            throw new UsageException("--threads " + threads + ": must be at least 1");
        }
        CpuThreads.refusal(threads).ifPresent(why -> {
            throw new UsageException("--threads " + threads + ": " + why);
        });
        return threads;
    }

    /** {@code --backend} if given ({@code cpu}, {@code cuda} or {@code cuda:N}), else {@code cpu}. */
    static String backend(Map<String, String> values) {
        String backend = values.getOrDefault("--backend", "cpu");
        if (!backend.equals("cpu") && !backend.matches("cuda(:\\d+)?")) {
            throw new UsageException("--backend " + backend + ": use cpu or cuda (cuda:N for GPU N)");
        }
        return backend;
    }

    static long longInteger(String option, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": '" + text + "' is not a whole number");
        }
    }

    static double decimal(String option, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": '" + text + "' is not a number");
        }
    }

    static int integer(String option, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": '" + text + "' is not a whole number");
        }
    }

    /** The options that place layers on RPC servers, as llama.cpp names them where it has the same option. */
    static final List<String> PLACEMENT = List.of("--rpc", "--tensor-split", "--local-layers");

    /** Their help lines, for a command's --help. */
    static final String PLACEMENT_HELP = """
              --rpc H:P,H:P        place layers on these ggml RPC servers (bin/llmgraph rpc-server on each host);
                                   the input layer stays here
              --tensor-split 3,1   the servers' shares of the layers (default: by their free memory)
              --local-layers N     keep the first N layers on this process's backend (default 0)
            """;

    /** {@code --rpc}, {@code --tensor-split} and {@code --local-layers}: where the layers live. */
    static Placement placement(Map<String, String> values) {
        if (!values.containsKey("--rpc")) {
            for (String option : List.of("--tensor-split", "--local-layers")) {
                if (values.containsKey(option)) {
                    throw new UsageException(option + " places layers on RPC servers; name them with --rpc H:P,H:P");
                }
            }
            return Placement.local();
        }
        Placement placement = Placement.parse(values.get("--rpc"));
        if (values.containsKey("--tensor-split")) {
            String[] parts = values.get("--tensor-split").split(",", -1);
            float[] shares = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                shares[i] = (float) decimal("--tensor-split", parts[i].trim());
            }
            placement = placement.split(shares);
        }
        if (values.containsKey("--local-layers")) {
            placement = placement.localLayers(integer("--local-layers", values.get("--local-layers")));
        }
        return placement;
    }

    /** {@code base} followed by the placement options. */
    static List<String> withPlacement(List<String> base) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(PLACEMENT);
        return List.copyOf(all);
    }

    /**
     * {@code text} as an option's description in help: words in lines of at most 118 characters, the later lines
     * indented to the description's column (two spaces and a 21-character option name).
     */
    static String description(String text) {
        int column = 23;
        StringBuilder out = new StringBuilder();
        int length = column;
        for (String word : text.split(" ")) {
            if (length > column && length + 1 + word.length() > 118) {
                out.append('\n').append(" ".repeat(column));
                length = column;
            } else if (length > column) {
                out.append(' ');
                length++;
            }
            out.append(word);
            length += word.length();
        }
        return out.toString();
    }
}
