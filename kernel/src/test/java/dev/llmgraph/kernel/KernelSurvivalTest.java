package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel outlives what learners do to it: a long generation interrupted at random moments, a model too large
 * for the machine, a display that throws. After each, the same model answers with the same logits. The count of
 * interrupts is {@code -Dllmgraph.interrupts=N} (10 in CI; the figures in the note come from 100).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelSurvivalTest {
    private static final int INTERRUPTS = Integer.getInteger("llmgraph.interrupts", 10);

    private KernelClient client;

    @BeforeAll
    void startKernelWithAModel(@TempDir Path work) throws Exception {
        client = KernelClient.open(work);
        client.start();
        // a model big enough that 3,000 tokens take seconds (about 1 ms a token on one thread), tiny to build
        JsonNode setup = client.execute("""
                var spec = Transformer.causalDecoder("survivor").vocabSize(512).dModel(128).layers(4)
                    .contextLength(4096).attention(Attention.grouped(4, 2)).positional(Positional.rope(10_000))
                    .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(352)).build();
                var model = Model.random(spec, WeightInit.lecun(1), ModelOptions.cpu().withThreads(1));
                float[] before = model.forward(new int[] {1, 2, 3}).toArray();
                "ready\"""");
        assertEquals("ok", setup.path("status").asText(), setup.toString());
    }

    @AfterAll
    void stopKernel() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void interruptsAtRandomMomentsOfALongGenerationLeaveTheModelAsItWas() throws Exception {
        Random random = new Random(42);
        int stopped = 0, finished = 0;
        for (int i = 0; i < INTERRUPTS; i++) {
            double after = 0.05 + 1.5 * random.nextDouble();
            JsonNode answer = client.executeAndInterruptAfter("""
                    var g = model.generate(new int[] {1, 2, 3}, GenerationConfig.of(3000, Sampler.temperature(0.8)
                        .withSeed(%d)));
                    System.out.println(g.stopReason().name());""".formatted(i), after);
            String status = answer.path("status").asText();
            String stdout = answer.path("stdout").asText();
            if (status.equals("error")) {
                assertEquals("CellInterrupted", answer.path("reply").path("ename").asText(), answer.toString());
                stopped++;
            } else {
                // the interrupt may come as the generation returns: it stops with the reason, or finished first
                assertEquals("ok", status, answer.toString());
                assertTrue(stdout.contains("INTERRUPTED") || stdout.contains("MAX_TOKENS"), stdout);
                if (stdout.contains("INTERRUPTED")) {
                    stopped++;
                } else {
                    finished++;
                }
            }
            assertSameLogitsAsBefore();
        }
        System.out.printf(Locale.ROOT, "%d interrupts at random moments: %d stopped the generation, %d came after it "
                + "had finished; the kernel answered and the model gave the same logits after every one%n",
                INTERRUPTS, stopped, finished);
        assertTrue(stopped > 0, "some interrupt must land inside a generation");
    }

    @Test
    void interruptsAtRandomMomentsOfTrainingStopItBetweenTwoWholeSteps() throws Exception {
        JsonNode setup = client.execute("""
                var pupil = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(2),
                    ModelOptions.cpu().withThreads(1));
                var text = TokenDataset.bytes("Call me Ishmael. Some years ago, never mind how long precisely. ".repeat(40));
                var trainer = Trainer.of(pupil, TrainingConfig.defaults().withBatch(4, 32).withSteps(1_000_000));
                "ready\"""");
        assertEquals("ok", setup.path("status").asText(), setup.toString());
        Random random = new Random(7);
        int stopped = 0;
        for (int i = 0; i < INTERRUPTS; i++) {
            JsonNode answer = client.executeAndInterruptAfter("""
                    var run = trainer.train(text, null, TrainingListener.SILENT);
                    System.out.println("stopped " + run.stopped());""", 0.1 + 1.5 * random.nextDouble());
            String status = answer.path("status").asText();
            if (status.equals("ok")) {
                assertEquals("stopped true\n", answer.path("stdout").asText(), answer.toString());
            } else {
                assertEquals("CellInterrupted", answer.path("reply").path("ename").asText(), answer.toString());
            }
            stopped++;
            // every step finished whole: one history entry per step done, finite losses, finite logits
            JsonNode check = client.execute("""
                    trainer.history().size() == trainer.stepsDone()
                        && trainer.history().stream().allMatch(s -> Double.isFinite(s.loss()))
                        && Float.isFinite(pupil.forward(new int[] {1, 2, 3}).toArray()[0])""");
            assertEquals("true", KernelClient.result(check), check.toString());
        }
        JsonNode steps = client.execute("trainer.stepsDone()");
        System.out.printf(Locale.ROOT, "%d interrupts at random moments of training: %d stopped it, after %s whole steps "
                + "in all; the kernel answered after every one%n", INTERRUPTS, stopped, KernelClient.result(steps));
        assertTrue(Integer.parseInt(KernelClient.result(steps)) > 0, "training made progress between interrupts");
    }

    @Test
    void aModelTooLargeForTheMachineIsRefusedInWords() throws Exception {
        JsonNode answer = client.execute("""
                var huge = Transformer.causalDecoder("huge").vocabSize(256_000).dModel(16_384).layers(400)
                    .contextLength(4096).attention(Attention.grouped(128, 8)).positional(Positional.rope(10_000))
                    .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(53_248)).build();
                Model.random(huge, 1);""");
        assertEquals("error", answer.path("status").asText(), answer.toString());
        assertEquals("NotEnoughMemoryException", answer.path("reply").path("ename").asText(), answer.toString());
        assertTrue(answer.path("reply").path("evalue").asText().startsWith("huge needs "), answer.toString());
        assertSameLogitsAsBefore();
    }

    @Test
    void aDisplayThatThrowsShowsTheUsersCodeInTheTrace() throws Exception {
        JsonNode answer = client.execute("""
                record Broken(int x) {}
                RichDisplay render(Broken b) {
                    throw new IllegalStateException("my renderer is broken");
                }
                Display.register(Broken.class, b -> render(b));
                new Broken(1)""");
        assertEquals("error", answer.path("status").asText(), answer.toString());
        List<String> trace = KernelClient.traceback(answer);
        assertTrue(String.join("\n", trace).contains("my renderer is broken"), String.join("\n", trace));
        assertTrue(trace.stream().anyMatch(l -> l.contains("render(cell [")), "the user's method in the trace:\n"
                + String.join("\n", trace));
        assertSameLogitsAsBefore();
    }

    private void assertSameLogitsAsBefore() throws Exception {
        JsonNode check = client.execute("Arrays.equals(before, model.forward(new int[] {1, 2, 3}).toArray())");
        assertEquals("ok", check.path("status").asText(), check.toString());
        assertEquals("true", KernelClient.result(check), check.toString());
    }
}
