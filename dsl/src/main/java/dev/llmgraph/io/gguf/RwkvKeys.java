package dev.llmgraph.io.gguf;

/** The keys rwkv6 and rwkv7 files share that must have the values llmgraph's RWKV has. */
final class RwkvKeys {
    private RwkvKeys() {}

    /** Two token shifts (time mix, channel mix), as llama.cpp asserts; no halving of the stream every n layers. */
    static void requirePlain(ModelFile f) {
        int shifts = f.keys.intOr("token_shift_count", 2);
        if (shifts != 2) {
            throw f.keys.problem("key '" + f.keys.key("token_shift_count") + "' = " + shifts + ": RWKV shifts the "
                    + "time mix's and the channel mix's input, 2 token shifts per layer (llama.cpp asserts 2)");
        }
        int rescale = f.keys.intOr("rescale_every_n_layers", 0);
        if (rescale != 0) {
            throw f.keys.problem("key '" + f.keys.key("rescale_every_n_layers") + "' = " + rescale + ": halving the "
                    + "residual stream every " + rescale + " layers (an fp16 trick of RWKV's runtime), which "
                    + "llmgraph's RWKV does not do");
        }
    }
}
