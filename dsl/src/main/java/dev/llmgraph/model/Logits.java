package dev.llmgraph.model;

/**
 * Output logits of a forward pass: one row of vocabSize scores per token position (row-major
 * [tokens x vocab]).
 */
public final class Logits {
    private final float[] data;
    private final int tokens;
    private final int vocab;

    Logits(float[] data, int tokens, int vocab) {
        if (data.length != (long) tokens * vocab) {
            throw new IllegalArgumentException("logits of " + data.length + " values are not " + tokens + " x " + vocab);
        }
        this.data = data;
        this.tokens = tokens;
        this.vocab = vocab;
    }

    public int tokens() {
        return tokens;
    }

    public int vocab() {
        return vocab;
    }

    /** The scores of position {@code t} (a copy). */
    public float[] row(int t) {
        checkRow(t);
        float[] out = new float[vocab];
        System.arraycopy(data, t * vocab, out, 0, vocab);
        return out;
    }

    /** The scores of the last position. */
    public float[] last() {
        return row(tokens - 1);
    }

    /**
     * The last position's scores for a caller that drops these logits right after: the array itself where it holds
     * one position (a decode step's), saving a copy of the vocabulary's scores per token.
     */
    float[] releaseLast() {
        return tokens == 1 ? data : last();
    }

    public float get(int t, int token) {
        checkRow(t);
        return data[t * vocab + token];
    }

    /** All scores, row-major [tokens x vocab] (a copy). */
    public float[] toArray() {
        return data.clone();
    }

    /** The highest-scoring token at position {@code t}. */
    public int argmax(int t) {
        return Sampler.argmax(row(t));
    }

    /** The {@code k} highest-scoring tokens at position {@code t}, best first. */
    public int[] top(int t, int k) {
        return Sampler.topIndices(row(t), k);
    }

    /** Largest absolute difference to {@code other} (same shape). */
    public double maxAbsDifference(Logits other) {
        if (other.tokens != tokens || other.vocab != vocab) {
            throw new IllegalArgumentException("logits of shape " + tokens + " x " + vocab + " and " + other.tokens
                    + " x " + other.vocab + " cannot be compared");
        }
        double max = 0;
        for (int i = 0; i < data.length; i++) {
            max = Math.max(max, Math.abs(data[i] - other.data[i]));
        }
        return max;
    }

    static Logits concat(java.util.List<Logits> parts) {
        int tokens = parts.stream().mapToInt(Logits::tokens).sum();
        int vocab = parts.getFirst().vocab;
        float[] data = new float[tokens * vocab];
        int offset = 0;
        for (Logits p : parts) {
            System.arraycopy(p.data, 0, data, offset, p.data.length);
            offset += p.data.length;
        }
        return new Logits(data, tokens, vocab);
    }

    private void checkRow(int t) {
        if (t < 0 || t >= tokens) {
            throw new IndexOutOfBoundsException("position " + t + " of logits for " + tokens + " tokens");
        }
    }

    @Override
    public String toString() {
        return "Logits[" + tokens + " x " + vocab + "], last position top 5 " + java.util.Arrays.toString(top(tokens - 1,
                Math.min(5, vocab)));
    }
}
