package dev.llmgraph.model;

import dev.llmgraph.ggml.ComputeInterruptedException;

import java.util.ArrayList;
import java.util.List;

/**
 * The decode loop of {@link EncoderDecoderModel#generate}: the input is encoded once, the decoder is fed its start
 * token, then draws and feeds one token at a time until a stop token, {@code config.maxNewTokens()}, a full decoder
 * cache or an interrupt, whichever comes first. The input is not part of the decoder's sequence: the decoder sees
 * it only through cross-attention.
 */
final class EncoderDecoderGeneration {
    private EncoderDecoderGeneration() {}

    static Generation run(EncoderDecoderModel model, int[] input, GenerationConfig config) {
        long t0 = System.nanoTime();
        EncoderOutput encoded = model.encode(input);
        int capacity = Math.min(model.contextLength(), config.maxNewTokens() + 1);
        List<Integer> out = new ArrayList<>();
        StopReason reason;
        int limit;
        long t1;
        try (DecoderSession session = model.decoder(encoded, capacity)) {
            float[] logits = session.start().last();
            t1 = System.nanoTime();
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
                    logits = session.feed(next).last();
                } catch (ComputeInterruptedException e) {
                    reason = StopReason.INTERRUPTED;
                    limit = 0;
                    break;
                }
            }
        }
        long t2 = System.nanoTime();
        return new Generation(input.clone(), out.stream().mapToInt(Integer::intValue).toArray(), (t1 - t0) / 1e9,
                (t2 - t1) / 1e9, reason, limit);
    }
}
