package dev.llmgraph.spec;

/**
 * Which keys a query may attend to (q and k are positions; P is the prefix length; W the window).
 * <pre>
 *  CAUSAL          k &lt;= q
 *  PREFIX          k &lt;= q, or k &lt; P (the prefix is bidirectional)
 *  BIDIRECTIONAL   every k
 *  SLIDING         q - W &lt; k &lt;= q (Mistral, Gemma 2's local layers); in a prefix decoder the window
 *                  narrows the prefix mask: |q - k| &lt; W, and k &lt;= q or k &lt; P
 * </pre>
 */
public enum MaskKind {
    CAUSAL, PREFIX, BIDIRECTIONAL, SLIDING;

    /** Whether query position {@code q} sees key position {@code k}. */
    public boolean visible(int q, int k, int prefixLength, int window) {
        return switch (this) {
            case CAUSAL -> k <= q;
            case PREFIX -> k <= q || k < prefixLength;
            case BIDIRECTIONAL -> true;
            case SLIDING -> (k <= q || k < prefixLength) && Math.abs(q - k) < window;
        };
    }
}
