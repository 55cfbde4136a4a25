package dev.llmgraph.model;

import dev.llmgraph.ggml.ComputeInterruptedException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/** The decode loop of {@link Model#generate}: feed the prompt, then draw and feed one token at a time. */
final class GenerationLoop {
    private GenerationLoop() {}

    /** The tokens drawn, and why drawing stopped ({@link Generation#stopReason()}, its limit). */
    record Drawn(int[] ids, StopReason reason, int limit) {}

    /**
     * Generates after {@code prompt} in {@code session} (a prefix decoder reads the prompt as its prefix) until a
     * stop token, {@code config.maxNewTokens()}, {@code capacity} cached tokens or an interrupt, whichever comes first.
     */
    static Generation run(Session session, boolean prefix, int[] prompt, GenerationConfig config, int capacity) {
        long t0 = System.nanoTime();
        float[] logits = prefix ? session.feedPrefix(prompt).last() : session.feed(prompt);
        long t1 = System.nanoTime();
        Drawn drawn = draw(logits, session::feed, session::position, config, capacity);
        long t2 = System.nanoTime();
        return new Generation(prompt.clone(), drawn.ids(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, drawn.reason(),
                drawn.limit());
    }

    /**
     * Draws a token from {@code logits}, feeds it ({@code feed} returns the next logits), and so on until a stop
     * token, {@code config.maxNewTokens()}, a {@code position} of {@code capacity} or an interrupt.
     */
    static Drawn draw(float[] logits, IntFunction<float[]> feed, IntSupplier position, GenerationConfig config,
                      int capacity) {
        List<Integer> out = new ArrayList<>();
        Sampler.Draw draw = config.sampler().start();
        while (true) {
            int next = draw.next(logits);
            out.add(next);
            if (config.onToken() != null) {
                config.onToken().accept(next);
            }
            if (config.isStop(next)) {
                return drawn(out, StopReason.STOP_TOKEN, next);
            }
            if (out.size() >= config.maxNewTokens()) {
                return drawn(out, StopReason.MAX_TOKENS, config.maxNewTokens());
            }
            if (position.getAsInt() >= capacity) {
                return drawn(out, StopReason.CONTEXT_FULL, capacity);
            }
            if (Thread.currentThread().isInterrupted()) {
                return drawn(out, StopReason.INTERRUPTED, 0);
            }
            try {
                logits = feed.apply(next);
            } catch (ComputeInterruptedException e) {
                return drawn(out, StopReason.INTERRUPTED, 0);
            }
        }
    }

    private static Drawn drawn(List<Integer> ids, StopReason reason, int limit) {
        return new Drawn(ids.stream().mapToInt(Integer::intValue).toArray(), reason, limit);
    }
}
