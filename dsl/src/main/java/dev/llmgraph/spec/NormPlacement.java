package dev.llmgraph.spec;

/**
 * Where a block's norms sit relative to its residual connections (N = norm, F = attention or FFN).
 * <pre>
 *  PRE       x = x + F(N(x))                  GPT-2, LLaMA: stable to train deep, the residual stream grows
 *  POST      x = N(x + F(x))                  the original Transformer, BERT: needs warm-up, can diverge deep
 *  SANDWICH  x = x + N'(F(N(x)))              Gemma 2, CogView: a second norm on each sublayer's output
 *  DEEPNORM  x = N(alpha * x + F(x))          DeepNet: post-norm with the residual up-weighted by alpha and
 *                                             F's initialisation down-weighted by beta, trains 1000 layers
 * </pre>
 * For a decoder-only model of N layers DeepNet sets {@code alpha = (2N)^(1/4)} and
 * {@code beta = (8N)^(-1/4)}.
 */
public enum NormPlacement {
    PRE, POST, SANDWICH, DEEPNORM;

    /** DeepNet's residual weight alpha for a decoder of {@code layers} layers (1 for the other placements). */
    public double residualAlpha(int layers) {
        return this == DEEPNORM ? Math.pow(2.0 * layers, 0.25) : 1.0;
    }

    /** DeepNet's initialisation gain beta for a decoder of {@code layers} layers (1 for the other placements). */
    public double initBeta(int layers) {
        return this == DEEPNORM ? Math.pow(8.0 * layers, -0.25) : 1.0;
    }
}
