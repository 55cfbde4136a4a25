package dev.llmgraph.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The option reading the GGUF commands ({@code logits}, {@code parity}) share: {@code --option value} pairs,
 * each known, given once and with a value; a GGUF file that exists; a comma-separated token list.
 */
final class CommandOptions {
    /** A command line that cannot be run as it is. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    private CommandOptions() {}

    /** Option to value; every option must be in {@code known}, and every one in {@code required} present. */
    static Map<String, String> values(String[] args, List<String> known, List<String> required) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
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
        return threads;
    }

    static int integer(String option, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": '" + text + "' is not a whole number");
        }
    }
}
