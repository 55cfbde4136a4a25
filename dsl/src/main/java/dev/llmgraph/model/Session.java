package dev.llmgraph.model;

import dev.llmgraph.model.lower.KvCache;
import dev.llmgraph.spec.ArchitectureKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental decoding with a KV cache: feed a prompt, then one token at a time; each call computes only
 * the new tokens and attends to everything cached. Logits equal those of a full forward pass over the
 * whole sequence (tests check this for every positional scheme and attention variant).
 *
 * <p>For a prefix decoder, {@link #feedPrefix} feeds the part that attends bidirectionally; everything
 * after it is causal. Close the session to free its cache.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final KvCache cache;
    private int position;
    private int prefix;
    /** Every token fed, in order: what a rewind the cache cannot make feeds again. */
    private int[] fed = new int[16];
    private int replayedTokens;
    private StepGraph step;
    private int graphBuilds;
    private long buildNanos;
    private int steps;
    private long stepNanos;
    private long inputNanos;
    private long computeNanos;
    private boolean closed;
    private final ConcurrentUseGuard guard;

    Session(Model model, KvCache cache) {
        this.model = model;
        this.cache = cache;
        this.guard = new ConcurrentUseGuard("this session of model '" + model.spec().name() + "'");
    }

    /** Tokens cached so far (= the position of the next token). */
    public int position() {
        return position;
    }

    /** Tokens this session can hold. */
    public int capacity() {
        return cache.size;
    }

    /**
     * Bytes of backend memory this session's KV cache occupies: the buffer ggml allocated for the K and V
     * tensors of every layer, {@link #capacity()} rows each, or, for a layer whose attention slides, its window and
     * one batch ({@link #slidingRows()}). Compare it with the spec's
     * {@code accounting().kvCacheBytes(capacity(), cacheType, batchSize)}. For a state space model (Mamba) this is
     * its fixed-size {@link #stateBytes()} instead.
     */
    public long cacheBytes() {
        ensureOpen();
        return cache.byteSize();
    }

    /**
     * Rows the cache keeps for each layer whose attention slides: the window and one batch, rounded up to 256, used
     * as a ring, as llama.cpp keeps them; {@link #capacity()} when that is no fewer, or no layer slides.
     */
    public int slidingRows() {
        return cache.slidingRows();
    }

    /** Which device holds which layers, with this session's KV cache (or recurrent state) bytes on each. */
    public PlacementTable placement() {
        return model.placement(cache);
    }

    /**
     * Bytes of backend memory of the recurrent layers' state (a state space model's convolution and scan state):
     * one sequence's, the same at any context length; equals the spec's {@code accounting().recurrentStateBytes()}.
     * 0 for a model whose layers all attend.
     */
    public long stateBytes() {
        ensureOpen();
        return model.spec().recurrent() ? cache.recurrent().byteSize() : 0;
    }

    /** Feeds {@code tokens} and returns the logits of the last one. */
    public float[] feed(int... tokens) {
        return feed(tokens, false).releaseLast();
    }

    /** Feeds {@code tokens} and returns the logits of every one of them. */
    public Logits feedAll(int... tokens) {
        return feed(tokens, true);
    }

    /**
     * Feeds the prefix of a prefix decoder: these tokens see each other in both directions, so they go
     * through in one batch even when it is longer than the batch size. Only valid as the first call of a
     * session. Returns the logits of every prefix token.
     */
    public Logits feedPrefix(int... tokens) {
        ensureOpen();
        if (model.spec().kind() != ArchitectureKind.PREFIX_DECODER) {
            throw new IllegalStateException("feedPrefix: only a prefix decoder has a bidirectional prefix, and "
                    + model.spec().name() + " is a " + model.spec().kind() + "; use feed");
        }
        if (position != 0) {
            throw new IllegalStateException("feedPrefix must come first: this session already holds " + position
                    + " tokens; start a new session");
        }
        prefix = tokens.length;
        try {
            // One batch whatever the batch size: a prefix token sees the later ones only if they are in it.
            return feed(tokens, true, Math.max(tokens.length, model.options().batchSize()));
        } catch (RuntimeException e) {
            prefix = 0; // a rejected prefix must not make the next tokens bidirectional
            throw e;
        }
    }

    Logits feed(int[] tokens, boolean allLogits) {
        return feed(tokens, allLogits, model.options().batchSize());
    }

    private Logits feed(int[] tokens, boolean allLogits, int batchSize) {
        try (ConcurrentUseGuard.Use mine = guard.enter("session.feed()");
             ConcurrentUseGuard.Use shared = model.use("session.feed()")) {
            return feedBatches(tokens, allLogits, batchSize);
        }
    }

    private Logits feedBatches(int[] tokens, boolean allLogits, int batchSize) {
        ensureOpen();
        model.checkTokens(tokens, "input");
        if (position + tokens.length > cache.size) {
            throw new IllegalArgumentException("context overflow: this session holds " + position + " tokens and "
                    + tokens.length + " more would exceed its capacity of " + cache.size + "; start a new session, or "
                    + "raise the context length (spec contextLength or ModelOptions.withContextLength)");
        }
        List<Logits> parts = new ArrayList<>();
        int base = position;
        for (int from = 0; from < tokens.length; from += batchSize) {
            int to = Math.min(tokens.length, from + batchSize);
            int[] chunk = Arrays.copyOfRange(tokens, from, to);
            long t0 = System.nanoTime();
            if (step == null || !step.fits(chunk.length, base + from, allLogits, cache.size)) {
                closeStep();
                step = StepGraph.build(model, cache, chunk.length, base + from, allLogits, List.of());
                graphBuilds++;
                buildNanos += System.nanoTime() - t0;
            }
            Logits logits = step.run(chunk, base + from, prefix).logits();
            computeNanos += step.lastComputeNanos();
            inputNanos += step.lastInputNanos();
            steps++;
            stepNanos += System.nanoTime() - t0;
            if (allLogits || to == tokens.length) {
                parts.add(logits);
            }
            position = base + to;
        }
        remember(tokens, base);
        return parts.size() == 1 ? parts.getFirst() : Logits.concat(parts);
    }

    private void remember(int[] tokens, int at) {
        if (at + tokens.length > fed.length) {
            fed = Arrays.copyOf(fed, Math.min(cache.size, Math.max(2 * fed.length, at + tokens.length)));
        }
        System.arraycopy(tokens, 0, fed, at, tokens.length);
    }

    private void closeStep() {
        if (step != null) {
            step.close();
            step = null;
        }
    }

    /**
     * How this session's time was spent: graphs built (a graph is reused for every batch of the same shape),
     * time building them, batches computed and their total time (building included), the part of that total
     * spent computing and writing the batches' inputs (token ids, positions, masks), and the part spent inside
     * ggml's graph computation (with the copy of the logits to the host).
     */
    public record Stats(int graphBuilds, long buildNanos, int steps, long stepNanos, long inputNanos,
                        long computeNanos) {
        /** The share of step time spent building graphs. */
        public double buildShare() {
            return stepNanos == 0 ? 0 : (double) buildNanos / stepNanos;
        }

        /**
         * The share of step time outside ggml's computation: graph building, filling inputs, copying logits
         * back, Java's own work. On a GPU this is time the device may sit idle.
         */
        public double hostShare() {
            return stepNanos == 0 ? 0 : 1 - (double) computeNanos / stepNanos;
        }
    }

    public Stats stats() {
        return new Stats(graphBuilds, buildNanos, steps, stepNanos, inputNanos, computeNanos);
    }

    /** Forgets every token (the cache is overwritten by later calls; a recurrent state is zeroed). */
    public void reset() {
        position = 0;
        prefix = 0;
    }

    /**
     * Forgets the tokens after the first {@code keep}: the next token goes to position {@code keep} and attends
     * to those kept, as if the later ones had never been fed (their cache rows are overwritten by later calls).
     * Try another continuation of the same prompt without computing the prompt again.
     *
     * <p>Where the cache cannot forget only some tokens, the session starts over and feeds the first {@code keep}
     * again, which costs what feeding them cost ({@link #replayedTokens()} counts them), as llama.cpp's server does:
     * a recurrent state (Mamba, RWKV, linear attention) has folded every token in, and the sliding layers' ring
     * ({@link #slidingRows()}) has overwritten the positions the next tokens' windows would need once the rewind goes
     * back more than one batch. A bidirectional prefix is kept whole or not at all.
     */
    public void rewind(int keep) {
        ensureOpen();
        if (keep < 0 || keep > position) {
            throw new IllegalArgumentException("rewind(" + keep + "): this session holds " + position
                    + " tokens; keep between 0 and " + position);
        }
        if (keep == position) {
            return;
        }
        if (keep == 0) {
            reset();
            return;
        }
        if (keep < prefix) {
            throw new IllegalStateException("rewind(" + keep + "): the first " + prefix + " tokens are a "
                    + "bidirectional prefix, each computed with all of them in view; keep the whole prefix or reset()");
        }
        if (model.spec().recurrent() || position - keep > cache.rewindReach()) {
            replay(keep);
            return;
        }
        position = keep;
    }

    /** Starts over and feeds the first {@code keep} tokens again (a prefix as a prefix). */
    private void replay(int keep) {
        int[] kept = Arrays.copyOf(fed, keep);
        int keptPrefix = prefix;
        reset();
        if (keptPrefix > 0) {
            feedPrefix(Arrays.copyOf(kept, keptPrefix));
        }
        if (keep > keptPrefix) {
            feed(Arrays.copyOfRange(kept, keptPrefix, keep), false);
        }
        replayedTokens += keep;
    }

    /** Tokens {@link #rewind} fed again because the cache could not forget only the later ones. */
    public int replayedTokens() {
        return replayedTokens;
    }

    ConcurrentUseGuard guardForTests() {
        return guard;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this session of model '" + model.spec().name() + "' was closed; open a "
                    + "new one with model.session()");
        }
        model.ensureOpen();
    }

    @Override
    public void close() {
        if (!closed) {
            // the session's own guard only: its cache is its own, and closing must not fail while another
            // session of the model computes, or the cache would stay allocated
            try (ConcurrentUseGuard.Use use = guard.enter("session.close()")) {
                closeStep();
                cache.close();
                closed = true;
            }
        }
    }
}
