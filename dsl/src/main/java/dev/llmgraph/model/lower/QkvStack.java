package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.model.WeightSource;
import dev.llmgraph.spec.WeightLayout;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The names of a layer's q, k and v weights (or biases) held as one tensor, GPT-2's {@code blk.N.attn_qkv.weight}
 * and {@code .bias}: q's rows, then k's, then v's, as llama.cpp's {@code build_qkv} views them. A file may store
 * them so; on a GPU, three stored apart are copied into one too. Such a stack is multiplied (and its bias added)
 * once, and the three parts are row ranges of the result.
 */
final class QkvStack {
    private static final List<String> PARTS = List.of("attn_q", "attn_k", "attn_v");

    private QkvStack() {}

    /**
     * Whether q, k and v stored as one tensor in the file are multiplied as one matrix (the same numbers,
     * fewer products); {@code -Dllmgraph.stackProjections=false} keeps three, for an A/B measurement.
     */
    static boolean stackProjections() {
        return Boolean.parseBoolean(System.getProperty("llmgraph.stackProjections", "true"));
    }

    /**
     * The backends on which q, k and v that the file stores apart (LLaMA's three tensors) are held as one stack too
     * where they are copied into the backend's memory, so that the lowering multiplies once: {@code
     * -Dllmgraph.stackSeparateProjections=auto} (the default) every backend but the CPU (a GPU, an RPC server's
     * device), {@code true} every backend, {@code false} none. A GPU decodes a token as a chain of short kernels
     * whose launches set the pace, and one product instead of three saves two a layer; on the CPU a TinyLlama A/B
     * measured no gain (bench/NOTES.md).
     */
    static Predicate<Backend> stackSeparateProjections() {
        String value = System.getProperty("llmgraph.stackSeparateProjections", "auto");
        return switch (value) {
            case "auto" -> backend -> !backend.isCpu();
            case "true" -> backend -> true;
            case "false" -> backend -> false;
            default -> throw new IllegalArgumentException("-Dllmgraph.stackSeparateProjections=" + value
                    + " is not one of auto (stack q, k and v stored apart on every backend but the CPU), true or"
                    + " false");
        };
    }

    /**
     * The stack ({@code blk.N.attn_qkv.weight} or {@code .bias}) that the weight {@code name} is a part of, where
     * the model has all three parts and {@code source} stores them as one tensor; else null.
     */
    static String of(String name, Map<String, WeightLayout.Weight> byName, WeightSource source) {
        return of(name, byName, source, false);
    }

    /**
     * The same, and with {@code apartToo} also where {@code source} stores the three apart (they are copied into one
     * stack, {@link CopiedStacks}).
     */
    static String of(String name, Map<String, WeightLayout.Weight> byName, WeightSource source, boolean apartToo) {
        String stack = named(name);
        if (stack == null) {
            return null;
        }
        List<String> parts = parts(stack);
        return byName.keySet().containsAll(parts)
                && (apartToo || source.storedTogether(parts.toArray(String[]::new))) ? stack : null;
    }

    /** The stack that {@code name} would be a part of, by its name alone ({@code blk.N.attn_q.weight} and so on). */
    static String named(String name) {
        for (String kind : List.of("weight", "bias")) {
            for (String part : PARTS) {
                String suffix = part + "." + kind;
                if (name.startsWith("blk.") && name.endsWith("." + suffix)) {
                    return name.substring(0, name.length() - suffix.length()) + "attn_qkv." + kind;
                }
            }
        }
        return null;
    }

    /** The names of the parts of {@code stack}, in their order inside it: q, k, v. */
    static List<String> parts(String stack) {
        int dot = stack.lastIndexOf('.');
        String layer = layer(stack), kind = stack.substring(dot);
        return PARTS.stream().map(part -> layer + part + kind).toList();
    }

    /** The layer prefix ({@code blk.N.}) of a stack. */
    static String layer(String stack) {
        return stack.substring(0, stack.indexOf("attn_qkv."));
    }

    /** Whether {@code stack} stacks matrices (not biases). */
    static boolean ofMatrices(String stack) {
        return stack.endsWith(".weight");
    }
}
