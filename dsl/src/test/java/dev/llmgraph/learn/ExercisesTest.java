package dev.llmgraph.learn;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every exercise's computed answer against a calculation by hand (written out below from the published
 * configurations and the papers' formulas), and the verdicts a learner sees.
 */
class ExercisesTest {
    /** Hand calculations, one per exercise. */
    private static Map<String, Double> byHand() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("01.1", 4.0 * 4096 * 4096);                                   // q, k, v, o: dModel x dModel each
        m.put("01.2", 6.0 * 6 + (7 + 8 + 9 + 10 + 11 + 12 + 13 + 14 + 15 + 16)); // prefix square + causal rows 6..15
        m.put("01.3", 6_738_415_616.0 - 32000.0 * 4096);                     // minus the output head
        m.put("02.1", 2 * Math.PI * Math.pow(10_000, 126.0 / 128));           // 2 pi / theta^(-2 x 63 / 128)
        m.put("02.2", 10_000 * Math.pow(4, 128.0 / 126));                     // theta x s^(d / (d - 2))
        m.put("02.3", -10 * Math.pow(2, -8.0 / 16));                          // -m_0 x 10, m_0 = 2^(-8/16)
        m.put("03.1", 2.0 * 8 * 128 * 32 * 2 * 8192);                        // K and V, 8 kv heads of 128, 32 layers, f16
        m.put("03.2", 71.0);                                                  // 71 K/V heads instead of 1
        m.put("03.3", Math.floor(24.0 * (1L << 30) / (2.0 * 2 * 128 * 28 * 2 * 2048)));
        m.put("04.1", Math.ceil(8.0 * 5120 / 3 / 256) * 256);                 // 8d/3 rounded up to 256
        m.put("04.2", (2.0 * 32 + 1) * 4096);                                 // one bias vector per norm
        m.put("04.3", Math.pow(2.0 * 100, 0.25));                             // (2N)^(1/4)
        m.put("05.1", (512.0 + 64) * 60);                                     // (d_c + d_h^R) x layers
        // Mixtral: the total minus 6 skipped SwiGLU experts (3 x 4096 x 14336) in each of 32 layers
        m.put("05.2", 46_702_792_704.0 - 32.0 * 6 * 3 * 4096 * 14336);
        m.put("05.3", 2.0 * 128 * 128 / (512 + 64));                          // MHA 2 n_h d_h over MLA d_c + d_h^R
        m.put("06.1", 24.0 * (3 + 16) * 1536 * 4); // 24 layers, (d_conv - 1 + d_state) x d_inner floats of 4 bytes
        // Mamba-2.8B: 64 layers x (3 + 16) x 5120 floats = 24,903,680 bytes; LLaMA-2-7B: 512 KiB per token
        m.put("06.2", 48.0); // 47 tokens: 24,641,536 bytes; 48 tokens: 25,165,824
        m.put("06.3", 90.0); // 0.95^89 = 0.0103, 0.95^90 = 0.0099
        m.put("07.1", 4.0 + 4);  // the source 0..3, the target 4..7
        // embeddings and their LayerNorm, then 12 x (attention 4 x (768^2 + 768), FFN, 2 LayerNorms)
        m.put("07.2", (30522.0 + 512 + 2) * 768 + 2 * 768
                + 12 * (4 * (768.0 * 768 + 768) + 768.0 * 3072 + 3072 + 3072.0 * 768 + 768 + 2 * 2 * 768));
        m.put("07.3", 768.0 * 768 + 768 + 2 * 768 + 30522); // dense, its LayerNorm, the bias per token
        m.put("09.1", 5.0);        // aa -> Z: ZabdZabac; ab -> Y: ZYdZYac; ZY -> X: X d X a c
        m.put("09.2", -2 - 2.5);   // ▁|ab beats ▁a|b (-5) and ▁|a|b (-6)
        m.put("09.3", 2 * 3 + 7.0); // two CJK characters of 3 UTF-8 bytes each, then " is cod": 7 ASCII bytes
        m.put("10.1", 8.0);         // units 25..32 of 0..32: u / 33 >= 0.75 from u = 24.75 on
        m.put("10.2", 4096.0 * 4);  // dModel floats of 4 bytes
        m.put("10.3", 131.0);       // 16,384 x 8 bits / 1e9 bits per second = 131.072 us
        return m;
    }

    @Test
    void everyComputedAnswerMatchesTheHandCalculation() {
        Map<String, Double> hand = byHand();
        List<Exercise> all = Exercises.all();
        assertEquals(hand.keySet().stream().toList(), all.stream().map(Exercise::id).toList(),
                "one hand calculation per exercise, in order");
        for (Exercise e : all) {
            double want = hand.get(e.id());
            double got = ((Number) e.answer()).doubleValue();
            assertEquals(want, got, Math.abs(want) * 1e-12, e.id());
        }
    }

    @Test
    void theHandValuesOfSomeAnswersAreTheNumbersTheNotebooksQuote() {
        assertEquals(151.0, byHand().get("01.2"));
        assertEquals(6_607_343_616.0, byHand().get("01.3"));
        assertEquals(1_073_741_824.0, byHand().get("03.1"));
        assertEquals(438.0, byHand().get("03.3"));
        assertEquals(13824.0, byHand().get("04.1"));
        assertEquals(266_240.0, byHand().get("04.2"));
        assertEquals(34_560.0, byHand().get("05.1"));
        assertEquals(12_879_925_248.0, byHand().get("05.2"));
        assertEquals(108_891_648.0, byHand().get("07.2")); // EncoderPresets: 109,482,240 published, less the pooler
        assertEquals(622_650.0, byHand().get("07.3"));
    }

    @Test
    void theRightAnswerIsRightAndAWrongOneGetsTheHint() {
        for (Exercise e : Exercises.all()) {
            double want = byHand().get(e.id());
            Object right = e.tolerance() == 0 ? (Object) Math.round(want) : (Object) want;
            assertTrue(e.check(right).right(), e.id() + " should accept " + right);

            Exercise.Verdict wrong = e.check(0);
            assertFalse(wrong.right(), e.id() + " must not accept the notebooks' placeholder 0");
            assertTrue(wrong.toString().startsWith("not quite (" + e.id() + ": you answered 0). Hint: "),
                    wrong.toString());
            assertTrue(wrong.toString().endsWith(e.hint()), wrong.toString());
            assertTrue(wrong.mimeBundle().get("text/html").contains("not quite"), e.id());
            assertTrue(e.check(right).mimeBundle().get("text/html").contains("right"), e.id());
        }
    }

    @Test
    void aToleranceAcceptsRoundingButNotAWrongValue() {
        for (Exercise e : Exercises.all()) {
            double want = byHand().get(e.id());
            if (e.tolerance() == 0) {
                assertFalse(e.check(Math.round(want) + 1).right(), e.id() + ": exact answers are exact");
            } else {
                assertTrue(e.check(want * (1 + e.tolerance() / 2)).right(), e.id() + ": within the tolerance");
                assertFalse(e.check(want * (1 + e.tolerance() * 2)).right(), e.id() + ": outside the tolerance");
            }
        }
    }

    @Test
    void everyNotebookHasTwoOrThreeExercisesWithAQuestionAndAHint() {
        Map<String, Long> perNotebook = new LinkedHashMap<>();
        for (Exercise e : Exercises.all()) {
            perNotebook.merge(e.id().substring(0, 2), 1L, Long::sum);
            assertFalse(e.question().isBlank(), e.id());
            assertTrue(e.hint().length() > 40, e.id() + " needs a real hint");
            assertTrue(e.toString().startsWith("Exercise " + e.id() + ": "), e.toString());
        }
        assertEquals(List.of("01", "02", "03", "04", "05", "06", "07", "09", "10"), List.copyOf(perNotebook.keySet()));
        perNotebook.forEach((notebook, n) -> assertTrue(n >= 2 && n <= 3, notebook + " has " + n));
    }

    @Test
    void eachCallGivesAFreshExerciseWithTheSameAnswer() {
        List<Supplier<Exercise>> factories = List.of(Exercises::ex01_1, Exercises::ex02_2, Exercises::ex03_3,
                Exercises::ex04_1);
        for (Supplier<Exercise> f : factories) {
            assertEquals(f.get().answer(), f.get().answer());
        }
    }

    @Test
    void questionsArriveWrappedBetweenWords() {
        // the notebooks print the question; the verdict shows as HTML, which the browser wraps itself
        for (Exercise e : Exercises.all()) {
            String text = e.toString();
            for (String line : text.split("\n")) {
                assertTrue(line.length() <= Exercise.LINE_WIDTH, e.id() + ": " + line);
            }
            assertEquals("Exercise " + e.id() + ": " + e.question(), text.replace('\n', ' '),
                    "only spaces became line breaks");
        }
    }
}
