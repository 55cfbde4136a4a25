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
 * Seeded fuzzing of safetensors files, config.json and tokenizer.json documents and specs, each case in a child JVM
 * ({@link ChildJvmFuzzRunner}): every case must be accepted or refused with the format's own exception and a
 * message; none may crash (a native abort or exit of the child, or an {@link Error}), hang (past
 * {@code llmgraph.fuzz.caseSeconds}, 10 s) or end in another exception. The table of outcomes and every
 * distinct refusal (normalised: numbers, names and paths replaced) are printed at the end.
 *
 * <p>CI runs a few hundred cases each. The large run (10,000 each, a few minutes):
 * <pre>
 * mvn -B -o verify -pl dsl -am -Dtest=FormatFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dllmgraph.fuzz.cases=10000 [-Dllmgraph.fuzz.seed=20251204]
 * </pre>
 * A single case reruns with {@code -Dllmgraph.fuzz.seed=S -Dllmgraph.fuzz.from=ID -Dllmgraph.fuzz.cases=ID+1}, the
 * properties each failure prints.
 */
class FormatFuzzTest {
    private static final long SEED = Long.getLong("llmgraph.fuzz.seed", 20_251_204L);
    private static final int CASES = Integer.getInteger("llmgraph.fuzz.cases", 300);
    private static final int FROM = Integer.getInteger("llmgraph.fuzz.from", 0);
    private static final Duration LIMIT = Duration.ofSeconds(Long.getLong("llmgraph.fuzz.caseSeconds", 10));
    /**
     * Each child JVM: a heap a notebook kernel might have; the serial collector and only the quick compiler, which
     * on CI's 2 cores run the few hundred cases in half the time of the defaults.
     */
    private static final List<String> CHILD_JVM = List.of("-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final List<FuzzResult> RESULTS = new ArrayList<>();

    @TempDir
    static Path work;

    @Test
    void safetensorsFiles() throws Exception {
        check("safetensors", SafetensorsTarget.class);
    }

    @Test
    void configJsonDocuments() throws Exception {
        check("config.json", ConfigTarget.class);
    }

    @Test
    void tokenizerJsonDocuments() throws Exception {
        check("tokenizer.json", TokenizerJsonTarget.class);
    }

    @Test
    void invalidSpecs() throws Exception {
        check("spec", SpecTarget.class);
    }

    private static void check(String format, Class<? extends FuzzTarget> target) throws Exception {
        Path folder = java.nio.file.Files.createDirectories(work.resolve(format));
        FuzzResult result = new ChildJvmFuzzRunner(format, target, LIMIT, CHILD_JVM).run(SEED, FROM, CASES, folder);
        synchronized (RESULTS) {
            RESULTS.add(result);
        }
        System.out.println(result.details() + result.childJvms() + " child JVMs");
        assertEquals(List.of(), result.crashes(), "cases that crashed");
        assertEquals(List.of(), result.hangs(), "cases that hung");
        assertEquals(List.of(), result.unhelpful(), "cases refused without the format's own exception and message");
        assertEquals(CASES - FROM, result.cases(), "every case reports an outcome");
        if (CASES - FROM >= 100) { // a replay of a few cases may well be all accepted
            assertTrue(result.refused() > (CASES - FROM) / 3, "the mutations are mostly refused: " + result.row());
        }
    }

    @AfterAll
    static void table() {
        System.out.println("Fuzz table (seed " + SEED + ", " + CASES + " cases each, " + LIMIT.toSeconds()
                + " s per case)\n" + FuzzResult.header());
        RESULTS.forEach(r -> System.out.println(r.row()));
    }
}
