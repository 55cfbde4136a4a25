package dev.llmgraph.fuzz;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crash and hang detector itself: cases that abort the JVM natively, exit, overflow the stack, sleep, or stop
 * the whole child are reported with their case, seed and replay properties, the cases after each still run in a
 * new child, and this JVM (the test run's) carries on.
 */
class ChildJvmFuzzRunnerTest {
    private static final long SEED = 99;

    @Test
    void everyWayACaseCanEndIsSortedAndTheCasesAfterACrashOrHangStillRun(@TempDir Path work) throws Exception {
        FuzzResult result = new ChildJvmFuzzRunner("probe", ProbeTarget.class, Duration.ofSeconds(1),
                List.of("-Xmx64m", "-XX:TieredStopAtLevel=1")).run(SEED, 0, ProbeTarget.CASES, work);

        assertEquals(ProbeTarget.CASES, result.cases(), result.details());
        assertEquals(2, result.accepted(), "cases 0 and 8");
        assertEquals(Map.of("IllegalArgumentException: probe case N is refused: a message that says why", 1),
                result.messages());
        assertEquals(1, result.unhelpful().size(), result.details());
        assertTrue(result.unhelpful().getFirst().matches("case 3 of seed 99 \\(refused without words\\): "
                + "java\\.lang\\.IllegalArgumentException at dev\\.llmgraph\\.fuzz\\.ProbeTarget\\.run\\(ProbeTarget"
                + "\\.java:\\d+\\); replay: -Dllmgraph\\.fuzz\\.seed=99 -Dllmgraph\\.fuzz\\.from=3 "
                + "-Dllmgraph\\.fuzz\\.cases=4"), result.unhelpful().getFirst());

        List<String> crashes = result.crashes();
        assertEquals(3, crashes.size(), result.details());
        assertTrue(crashes.get(0).matches("case 2 of seed 99: the child JVM died with exit 134 \\(SIGABRT: a native "
                + "abort, such as a failed GGML_ASSERT\\): \\S*gguf\\.cpp:\\d+: GGML_ASSERT\\(key_id >= 0 && key_id < "
                + "gguf_get_n_kv\\(ctx\\)\\) failed; replay: -Dllmgraph\\.fuzz\\.seed=99 -Dllmgraph\\.fuzz\\.from=2 "
                + "-Dllmgraph\\.fuzz\\.cases=3"), crashes.get(0));
        assertEquals("case 4 of seed 99: the child JVM died with exit 42; replay: -Dllmgraph.fuzz.seed=99 "
                + "-Dllmgraph.fuzz.from=4 -Dllmgraph.fuzz.cases=5", crashes.get(1));
        assertEquals("case 6 of seed 99 (endless recursion): a Java error: java.lang.StackOverflowError; replay: "
                + "-Dllmgraph.fuzz.seed=99 -Dllmgraph.fuzz.from=6 -Dllmgraph.fuzz.cases=7", crashes.get(2));

        assertEquals(List.of("case 5 of seed 99 (sleeps): still running after 1000 ms; replay: -Dllmgraph.fuzz.seed=99 "
                        + "-Dllmgraph.fuzz.from=5 -Dllmgraph.fuzz.cases=6",
                "case 7 of seed 99: no output for 3000 ms, so the child JVM was killed; replay: "
                        + "-Dllmgraph.fuzz.seed=99 -Dllmgraph.fuzz.from=7 -Dllmgraph.fuzz.cases=8"), result.hangs());
        assertEquals(6, result.childJvms(), "the first child, then a new one after each crash and hang");
    }
}
