package dev.llmgraph.fuzz;

import dev.llmgraph.ggml.internal.GgufApi;

import java.nio.file.Path;

/**
 * A target whose cases misbehave on purpose, one way each, so that {@link ChildJvmFuzzRunnerTest} can show the
 * runner sorts every way a case can end: accepted, refused with words, refused without, a native abort, an exit,
 * a Java error, a hang the child catches and a hang only the parent can end. The seed plays no part.
 */
final class ProbeTarget implements FuzzTarget {
    static final int CASES = 9;

    @Override
    public boolean isOwnRefusal(Throwable refusal) {
        return refusal instanceof IllegalArgumentException;
    }

    @Override
    public void run(long seed, int id, Path work, StringBuilder what) throws Exception {
        switch (id) {
            case 1 -> {
                what.append("refused with words");
                throw new IllegalArgumentException("probe case 1 is refused: a message that says why");
            }
            case 2 -> {
                what.append("a failed GGML_ASSERT"); // key 5 of an empty GGUF context: the process aborts
                GgufApi.gguf_get_key(GgufApi.gguf_init_empty(), 5);
            }
            case 3 -> {
                what.append("refused without words");
                throw new IllegalArgumentException();
            }
            case 4 -> {
                what.append("System.exit(42)");
                System.exit(42);
            }
            case 5 -> {
                what.append("sleeps");
                Thread.sleep(Long.MAX_VALUE);
            }
            case 6 -> {
                what.append("endless recursion");
                recurse(0);
            }
            case 7 -> {
                what.append("the whole JVM stopped (SIGSTOP)"); // its own time limit cannot act either
                new ProcessBuilder("kill", "-STOP", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            }
            default -> what.append("accepted");
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
