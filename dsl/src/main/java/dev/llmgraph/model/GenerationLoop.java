package dev.llmgraph.model;

import dev.llmgraph.ggml.ComputeInterruptedException;

import java.util.ArrayList;
import java.util.List;

/** The decode loop of {@link Model#generate}: feed the prompt, then draw and feed one token at a time. */
final class GenerationLoop {
    private GenerationLoop() {}

    /**
     * Generates after {@code prompt} in {@code session} (a prefix decoder reads the prompt as its prefix) until a
     * stop token, {@code config.maxNewTokens()}, {@code capacity} cached tokens or an interrupt, whichever comes first.
     */
    static Generation run(Session session, boolean prefix, int[] prompt, GenerationConfig config, int capacity) {
        List<Integer> out = new ArrayList<>();
        long t0 = System.nanoTime();
        float[] logits = prefix ? session.feedPrefix(prompt).last() : session.feed(prompt);
        long t1 = System.nanoTime();
        StopReason reason;
        int limit;
        Sampler.Draw draw = config.sampler().start();
        while (true) {
            int next = draw.next(logits);
            out.add(next);
            if (config.onToken() != null) {
                config.onToken().accept(next);
            }
            if (config.isStop(next)) {
                reason = StopReason.STOP_TOKEN;
                limit = next;
                break;
            }
            if (out.size() >= config.maxNewTokens()) {
                reason = StopReason.MAX_TOKENS;
                limit = config.maxNewTokens();
                break;
            }
            if (session.position() >= capacity) {
                reason = StopReason.CONTEXT_FULL;
                limit = capacity;
                break;
            }
            if (Thread.currentThread().isInterrupted()) {
                reason = StopReason.INTERRUPTED;
                limit = 0;
                break;
            }
            try {
                logits = session.feed(next);
            } catch (ComputeInterruptedException e) {
                reason = StopReason.INTERRUPTED;
                limit = 0;
                break;
            }
        }
        long t2 = System.nanoTime();
        return new Generation(prompt.clone(), out.stream().mapToInt(Integer::intValue).toArray(), (t1 - t0) / 1e9,
                (t2 - t1) / 1e9, reason, limit);
    }
}
