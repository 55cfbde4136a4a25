package dev.llmgraph.model;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The thread model: one model (and its sessions) is used from one thread at a time. Two threads inside one
 * model at once are refused with an {@link IllegalStateException} that names the model, both threads and
 * the call in progress; a refused call leaves nothing behind, and every call that ran computed exactly what
 * it computes alone. Separate models on separate threads run together and each computes what it computes
 * alone.
 */
class ConcurrencyTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    private static final int[] TOKENS = {1, 2, 3, 4, 5, 6, 7, 8};
    private static final String RULE = "; a model and its sessions are used from one thread at a time: wait for that "
            + "call to return, or give each thread its own model";

    /** Runs {@code test} with this thread named {@code name}, then gives the thread its name back. */
    private static void named(String name, ThrowingRunnable test) throws Exception {
        String before = Thread.currentThread().getName();
        Thread.currentThread().setName(name);
        try {
            test.run();
        } finally {
            Thread.currentThread().setName(before);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Runs {@code call} on a new thread named {@code name}; returns what it threw, or null. */
    private static Throwable onThread(String name, Runnable call) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                call.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, name);
        t.start();
        t.join();
        return thrown.get();
    }

    @Test
    void aSecondThreadInsideTheModelIsRefusedInWords() throws Exception {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU)) {
            float[] alone = model.forward(TOKENS).toArray();
            Session session = model.session();
            named("first", () -> {
                try (ConcurrentUseGuard.Use inside = model.use("session.feed()")) {
                    Throwable forward = onThread("second", () -> model.forward(TOKENS));
                    assertEquals("model.session() on thread 'second': model 'tiny-llama-2-7b' is in use by thread 'first' "
                            + "(session.feed())" + RULE, forward.getMessage());
                    Throwable feed = onThread("third", () -> session.feed(1));
                    assertEquals("session.feed() on thread 'third': model 'tiny-llama-2-7b' is in use by thread 'first' "
                            + "(session.feed())" + RULE, feed.getMessage());
                    assertInstanceOf(IllegalStateException.class, feed);
                    assertEquals(1, model.forward(1).tokens(), "the thread inside may call again (calls nest)");
                }
            });
            assertEquals(0, session.position(), "the refused feed left the session as it was");
            assertNull(onThread("fourth", () -> assertArrayEquals(alone, model.forward(TOKENS).toArray())),
                    "another thread may use the model once the first is out");
            session.close();
        }
    }

    @Test
    void oneSessionFromTwoThreadsIsRefusedAndNamesTheSession() throws Exception {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU);
             Session session = model.session()) {
            named("first", () -> {
                try (ConcurrentUseGuard.Use inside = session.guardForTests().enter("session.feed()")) {
                    Throwable close = onThread("second", session::close);
                    assertEquals("session.close() on thread 'second': this session of model 'tiny-llama-2-7b' is in "
                            + "use by thread 'first' (session.feed())" + RULE, close.getMessage());
                }
            });
            assertEquals(1, session.feedAll(1).tokens(), "the session was not closed");
        }
    }

    /**
     * Two threads hammer one model: every call either computes the single-threaded logits exactly or is refused
     * with the rule; refusals do happen; the model still computes the same afterwards and leaks no buffer.
     */
    @Test
    void stressTwoThreadsOnOneModel() throws Exception {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU)) {
            float[] alone = model.forward(TOKENS).toArray();
            int buffersBefore = dev.llmgraph.ggml.Buffer.openBuffers();
            AtomicInteger computed = new AtomicInteger(), refused = new AtomicInteger();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 400 && (refused.get() < 20 || i < 100); i++) {
                        try {
                            float[] logits = model.forward(TOKENS).toArray();
                            computed.incrementAndGet();
                            if (!java.util.Arrays.equals(alone, logits)) {
                                wrong.add("logits differ from the single-threaded ones");
                            }
                        } catch (IllegalStateException e) {
                            refused.incrementAndGet();
                            if (!e.getMessage().matches("\\S+ on thread '[^']+': model 'tiny-llama-2-7b' is in use by thread '[^']+' "
                                            + "\\(\\S+\\)" + java.util.regex.Pattern.quote(RULE))) {
                                wrong.add(e.getMessage());
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> w : workers) {
                w.get();
            }
            pool.shutdown();
            System.out.printf("stress: %d forward passes computed, %d refused%n", computed.get(), refused.get());
            assertEquals(List.of(), List.copyOf(wrong));
            assertTrue(refused.get() > 0, "two threads collided at least once in " + computed.get() + " passes");
            assertTrue(computed.get() > 0);
            assertEquals(buffersBefore, dev.llmgraph.ggml.Buffer.openBuffers(), "refused calls leave no buffer open");
            assertArrayEquals(alone, model.forward(TOKENS).toArray());
        }
    }

    @Test
    void aForwardWhileTheModelTrainsOnAnotherThreadIsRefused() throws Exception {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU);
             var trainer = dev.llmgraph.train.Trainer.of(model,
                     dev.llmgraph.train.TrainingConfig.defaults().withBatch(4, 32).withSteps(200))) {
            var data = dev.llmgraph.train.TokenDataset.bytes("the quick brown fox jumps over the lazy dog. ".repeat(60));
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<dev.llmgraph.train.TrainingRun> training = pool.submit(
                    () -> trainer.train(data, null, dev.llmgraph.train.TrainingListener.SILENT));
            AtomicInteger refused = new AtomicInteger();
            List<String> wrong = new ArrayList<>();
            while (!training.isDone()) {
                try {
                    model.forward(TOKENS);
                } catch (IllegalStateException e) {
                    refused.incrementAndGet();
                    if (!e.getMessage().matches("\\S+ on thread '[^']+': model 'tiny-llama-2-7b' is in "
                            + "use by thread '[^']+' \\(a training step\\)" + java.util.regex.Pattern.quote(RULE))) {
                        wrong.add(e.getMessage());
                    }
                }
            }
            // whichever comes second is refused: a forward during a step, or a step during a forward (which ends
            // the training run with the refusal)
            String stepRefused = null;
            try {
                training.get();
            } catch (java.util.concurrent.ExecutionException e) {
                stepRefused = e.getCause().getMessage();
                if (!stepRefused.matches("a training step on thread '[^']+': model 'tiny-llama-2-7b' is in use by "
                        + "thread '[^']+' \\(\\S+\\)" + java.util.regex.Pattern.quote(RULE))) {
                    wrong.add(stepRefused);
                }
            }
            pool.shutdown();
            System.out.printf("training beside forward passes: %d whole steps, %d forward passes refused, training step "
                    + "refused: %s%n", trainer.stepsDone(), refused.get(), stepRefused);
            assertEquals(List.of(), wrong);
            assertTrue(refused.get() > 0 || stepRefused != null, "the two threads met at least once");
            assertEquals(trainer.stepsDone(), trainer.history().size(), "no half steps");
            assertTrue(trainer.history().stream().allMatch(step -> Double.isFinite(step.loss())));
        }
    }

    @Test
    void separateModelsOnSeparateThreadsRunTogetherCorrectly() throws Exception {
        List<ModelSpec> specs = List.of(Presets.byName("tiny-llama-2-7b"), Presets.byName("tiny-gpt2-small"),
                Presets.byName("tiny-bloom-560m"), Presets.byName("tiny-mistral-7b"));
        List<float[]> alone = new ArrayList<>();
        List<int[]> generatedAlone = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            try (Model m = Model.random(specs.get(i), WeightInit.lecun(i), CPU)) {
                alone.add(m.forward(TOKENS).toArray());
                generatedAlone.add(m.generate(TOKENS, GenerationConfig.greedy(6)).tokens());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(specs.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> runs = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            int k = i;
            runs.add(pool.submit(() -> {
                try (Model m = Model.random(specs.get(k), WeightInit.lecun(k), CPU)) {
                    start.await();
                    for (int round = 0; round < 15; round++) {
                        assertArrayEquals(alone.get(k), m.forward(TOKENS).toArray(), specs.get(k).name());
                        assertArrayEquals(generatedAlone.get(k), m.generate(TOKENS, GenerationConfig.greedy(6)).tokens());
                    }
                    return 15;
                }
            }));
        }
        start.countDown();
        for (Future<Integer> run : runs) {
            assertEquals(15, run.get());
        }
        pool.shutdown();
    }
}
