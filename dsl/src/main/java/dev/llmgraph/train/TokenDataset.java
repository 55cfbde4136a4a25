package dev.llmgraph.train;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A stream of token ids to train or evaluate on, cut into batches of windows of {@code context + 1} ids.
 * Training batches are random windows chosen by (seed, step) alone, so a resumed run sees the batches an
 * uninterrupted one would have; evaluation batches are fixed, evenly spaced windows.
 */
public final class TokenDataset {
    private final int[] ids;

    private TokenDataset(int[] ids) {
        this.ids = ids;
    }

    public static TokenDataset of(int... ids) {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("the dataset is empty; give it the token ids of a text");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("token id " + ids[i] + " at index " + i + " of the dataset is "
                        + "negative; token ids run from 0 to the vocabulary size - 1");
            }
        }
        return new TokenDataset(ids.clone());
    }

    /** The UTF-8 bytes of {@code text} as ids 0..255: the byte-level tokenizer (a model with vocabSize >= 256). */
    public static TokenDataset bytes(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xff;
        }
        return of(ids);
    }

    /** The first {@code fraction} of the ids, and the rest (e.g. 0.9 for a 90 / 10 train / held-out split). */
    public TokenDataset[] split(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction = " + fraction + ": must be between 0 and 1, e.g. 0.9");
        }
        int cut = (int) Math.round(ids.length * fraction);
        if (cut == 0 || cut == ids.length) {
            throw new IllegalArgumentException("splitting " + ids.length + " ids at " + fraction + " leaves one side "
                    + "empty; use more data or a fraction nearer 0.5");
        }
        return new TokenDataset[] {new TokenDataset(Arrays.copyOf(ids, cut)),
                new TokenDataset(Arrays.copyOfRange(ids, cut, ids.length))};
    }

    public int size() {
        return ids.length;
    }

    /** The largest id, which the model's vocabulary must exceed. */
    public int maxId() {
        return Arrays.stream(ids).max().orElse(0);
    }

    /** The random training batch of step {@code step}: {@code batchSize} windows of {@code context + 1} ids. */
    public int[][] trainingBatch(long seed, int step, int batchSize, int context) {
        requireWindow(batchSize, context);
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        int[][] batch = new int[batchSize][];
        for (int s = 0; s < batchSize; s++) {
            int start = random.nextInt(ids.length - context);
            batch[s] = Arrays.copyOfRange(ids, start, start + context + 1);
        }
        return batch;
    }

    /** Evaluation batch {@code index} of {@code count}: windows spread evenly over the data. */
    public int[][] evaluationBatch(int index, int count, int batchSize, int context) {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("evaluation batch " + index + " of " + count + ": the index runs from 0 "
                    + "to count - 1, and count must be at least 1");
        }
        requireWindow(batchSize, context);
        int windows = count * batchSize;
        long span = ids.length - context - 1;
        int[][] batch = new int[batchSize][];
        for (int s = 0; s < batchSize; s++) {
            int start = (int) (span * (index * batchSize + s) / Math.max(1, windows - 1));
            batch[s] = Arrays.copyOfRange(ids, start, start + context + 1);
        }
        return batch;
    }

    private void requireWindow(int batchSize, int context) {
        if (batchSize < 1 || context < 1) {
            throw new IllegalArgumentException("batchSize = " + batchSize + " and context = " + context + ": both must "
                    + "be at least 1");
        }
        if (ids.length < context + 1) {
            throw new IllegalArgumentException("the dataset has " + ids.length + " tokens, fewer than one sequence of "
                    + (context + 1) + " (context " + context + " plus the next token); use more text or a shorter context");
        }
    }
}
