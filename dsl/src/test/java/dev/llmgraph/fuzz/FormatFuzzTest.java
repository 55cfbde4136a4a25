package dev.llmgraph.fuzz;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of safetensors files, config.json documents and specs: every case must be accepted or
 * refused with the format's own exception and a message; none may crash (an {@link Error}), hang (past
 * {@code llmgraph.fuzz.caseSeconds}, 10 s) or end in another exception. The table of outcomes and every
 * distinct refusal (normalised: numbers, names and paths replaced) are printed at the end.
 *
 * <p>CI runs a few hundred cases each. The large run (10,000 each, a few minutes):
 * <pre>
 * mvn -B -o verify -pl dsl -am -Dtest=FormatFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dllmgraph.fuzz.cases=10000 [-Dllmgraph.fuzz.seed=20251204]
 * </pre>
 * A single case reruns with {@code -Dllmgraph.fuzz.seed=S -Dllmgraph.fuzz.from=ID -Dllmgraph.fuzz.cases=ID+1}.
 */
class FormatFuzzTest {
    private static final long SEED = Long.getLong("llmgraph.fuzz.seed", 20_251_204L);
    private static final int CASES = Integer.getInteger("llmgraph.fuzz.cases", 300);
    private static final int FROM = Integer.getInteger("llmgraph.fuzz.from", 0);
    private static final Duration LIMIT = Duration.ofSeconds(Long.getLong("llmgraph.fuzz.caseSeconds", 10));
    private static final List<FuzzResult> RESULTS = new ArrayList<>();

    @TempDir
    static Path work;

    @Test
    void safetensorsFiles() throws Exception {
        check(new SafetensorsTarget(work));
    }

    @Test
    void configJsonDocuments() throws Exception {
        check(new ConfigTarget());
    }

    @Test
    void invalidSpecs() throws Exception {
        check(new SpecTarget());
    }

    private static void check(FuzzTarget target) throws InterruptedException {
        FuzzResult result = new FuzzRunner(target, LIMIT).run(SEED, FROM, CASES, work);
        synchronized (RESULTS) {
            RESULTS.add(result);
        }
        System.out.println(result.details());
        assertEquals(List.of(), result.crashes(), "cases that crashed");
        assertEquals(List.of(), result.hangs(), "cases that hung");
        assertEquals(List.of(), result.unhelpful(), "cases refused without the format's own exception and message");
        assertTrue(result.refused() > (CASES - FROM) / 3, "the mutations are mostly refused: " + result.row());
    }

    @AfterAll
    static void table() {
        System.out.println("Fuzz table (seed " + SEED + ", " + CASES + " cases each, " + LIMIT.toSeconds()
                + " s per case)\n" + FuzzResult.header());
        RESULTS.forEach(r -> System.out.println(r.row()));
    }
}
