package dev.llmgraph.model;

import dev.llmgraph.model.lower.CrossAttentionCache;
import dev.llmgraph.model.lower.KvCache;

/**
 * An encoder-decoder's decoder writing one output sequence for one encoded input: its self-attention keys and values
 * go to a KV cache that grows with every token fed, its cross-attention reads keys and values computed once from the
 * encoder output. Feed the decoder start token first (or {@link #start()}), then one token at a time, or a whole
 * teacher-forced sequence in one batch: the logits are the same.
 */
public final class DecoderSession implements AutoCloseable {
    private final EncoderDecoderModel model;
    private final EncoderOutput encoded;
    private final CrossAttentionCache cross;
    private final boolean ownsCross;
    private final KvCache self;
    /** The one-token graph reused by decoding steps, or null before the first. */
    private DecoderStepGraph step;
    private int position;
    private boolean closed;

    DecoderSession(EncoderDecoderModel model, EncoderOutput encoded, CrossAttentionCache cross, boolean ownsCross,
                   KvCache self) {
        this.model = model;
        this.encoded = encoded;
        this.cross = cross;
        this.ownsCross = ownsCross;
        this.self = self;
    }

    /** Feeds the decoder start token; its logits predict the first output token. */
    public Logits start() {
        return feed(model.spec().decoderStartToken());
    }

    /** Feeds {@code ids} at the next positions in one batch; the logits of each of them [ids, vocab]. */
    public Logits feed(int... ids) {
        return feedInspecting(ids).logits();
    }

    /**
     * As {@link #feed}, also reading back the named nodes of the decoder's graph: {@code cross_kq_softmax.i}, layer
     * i's cross-attention weights [heads, ids, encoder positions] (each row sums to 1), {@code kq_softmax.i} (its
     * self-attention weights over the cache), {@code cross_out.i}, {@code l_out.i}.
     */
    public Model.Inspection feedInspecting(int[] ids, String... nodes) {
        ensureOpen();
        model.checkTokens(ids, "decoder input");
        if (position + ids.length > self.size) {
            throw new IllegalStateException("the decoder's cache holds " + self.size + " tokens and " + position
                    + " are in it; " + ids.length + " more do not fit (open a session with a larger capacity)");
        }
        Model.Inspection result;
        if (ids.length == 1 && nodes.length == 0) {                 // a decoding step: the reused graph
            if (step == null || !step.reusable()) {
                if (step != null) {
                    step.close();
                }
                step = DecoderStepGraph.build(model, self, cross);
            }
            result = new Model.Inspection(step.run(ids[0], position), java.util.Map.of());
        } else {
            result = model.decode(self, cross, ids, position, java.util.List.of(nodes));
        }
        position += ids.length;
        return result;
    }

    /** Tokens fed so far. */
    public int position() {
        return position;
    }

    /** The encoder output this session decodes from. */
    public EncoderOutput encoded() {
        return encoded;
    }

    /** Bytes of the self-attention KV cache and of the cross-attention keys and values. */
    public long cacheBytes() {
        return self.byteSize() + cross.byteSize();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this decoder session was closed; open a new one with model.decoder(...)");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (step != null) {
                step.close();
            }
            self.close();
            if (ownsCross) {
                cross.close();
            }
        }
    }
}
