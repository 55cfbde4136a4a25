package dev.llmgraph.spec;

/**
 * How an encoder turns its per-token hidden states [T, dModel] into one vector per sequence [1, dModel], the
 * sentence embedding. The numbers are llama.cpp's {@code llama_pooling_type} (its {@code <arch>.pooling_type}).
 * <pre>
 *  none()   no pooled vector: the per-token hidden states are the output                    0
 *  mean()   the average of every token's hidden state (Sentence-BERT, E5, nomic-embed)       1
 *  cls()    the hidden state of the first token, [CLS] (BERT's classification input)        2
 *  last()   the hidden state of the last token                                              3
 * </pre>
 * BERT's pre-trained pooler (a dense layer and tanh on [CLS]) is not part of this: the embedding models
 * llama.cpp runs pool without it.
 */
public sealed interface Pooling {
    /** llama.cpp's number for this pooling ({@code enum llama_pooling_type}). */
    int llamaCode();

    /** Whether the hidden states are pooled into one vector (every choice but {@link None}). */
    default boolean pools() {
        return switch (this) {
            case None _ -> false;
            case Mean _, Cls _, Last _ -> true;
        };
    }

    static None none() {
        return new None();
    }

    static Mean mean() {
        return new Mean();
    }

    static Cls cls() {
        return new Cls();
    }

    static Last last() {
        return new Last();
    }

    /** The pooling llama.cpp numbers {@code code}, or null for a number it does not pool with here. */
    static Pooling ofLlamaCode(long code) {
        return switch ((int) code) {
            case 0 -> none();
            case 1 -> mean();
            case 2 -> cls();
            case 3 -> last();
            default -> null;
        };
    }

    record None() implements Pooling {
        @Override
        public int llamaCode() {
            return 0;
        }

        @Override
        public String toString() {
            return "no pooling";
        }
    }

    record Mean() implements Pooling {
        @Override
        public int llamaCode() {
            return 1;
        }

        @Override
        public String toString() {
            return "mean pooling";
        }
    }

    record Cls() implements Pooling {
        @Override
        public int llamaCode() {
            return 2;
        }

        @Override
        public String toString() {
            return "CLS pooling";
        }
    }

    record Last() implements Pooling {
        @Override
        public int llamaCode() {
            return 3;
        }

        @Override
        public String toString() {
            return "last-token pooling";
        }
    }
}
