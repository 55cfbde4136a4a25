package dev.llmgraph.model;

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
        GenerationLoop.Drawn drawn;
        long t1;
        try (DecoderSession session = model.decoder(encoded, capacity)) {
            float[] logits = session.start().last();
            t1 = System.nanoTime();
            drawn = GenerationLoop.draw(logits, next -> session.feed(next).last(), session::position, config, capacity);
        }
        long t2 = System.nanoTime();
        return new Generation(input.clone(), drawn.ids(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, drawn.reason(),
                drawn.limit());
    }
}
