package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.ChannelMixer;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.spec.SequenceMixer;
import dev.llmgraph.spec.WeightLayout.Weight;

import java.util.ArrayList;
import java.util.List;

/**
 * One step of a forward pass, as data: what it computes, the learned tensors it reads and the named nodes
 * it produces (in the paper's order of shapes). A block is a list of steps; norm placements, parallel
 * blocks, the embedding and the output head are different lists of the same few kinds. Lowering, the
 * weight layout, accounting, the shape trace and the block diagram each read steps through one exhaustive
 * {@code switch}, so a new kind of step does not compile until every one of them handles it.
 * <pre>
 *  Embed      token rows (+ scale, + positions)     x = E[tokens] * s + P
 *  Normalize  a norm with its weights               x = N(x)
 *  Mix        a sequence mixer (attention, ...)     x = Attn(x)
 *  Channel    a channel mixer (FFN, ...)            x = FFN(x)
 *  Residual   alpha * input + each branch, in turn  x = alpha * x + F1(x) (+ F2(x))
 *  Parallel   the sum of branches on one input      x = F1(x) + F2(x)
 *  Head       the output projection (+ soft cap)    logits = W x
 *  Pool       an encoder's sentence vector           e = pool(x)   (CLS, mean, last); x passes on
 *  MaskedLm   BERT's masked-LM head                  logits = E N(gelu(W x + b)) + c
 * </pre>
 */
public sealed interface Step {
    /** The named nodes of this step (and of the steps inside it), in execution order. */
    List<Node> nodes();

    /** The learned tensors this step (and the steps inside it) reads, in execution order. */
    List<Weight> weights();

    /**
     * The token embeddings: a row of {@code table} per token, times {@code scale}, with the positional
     * scheme's table added where it has one.
     *
     * @param table     the name of the embedding table
     * @param typeTable the name of the token-type table whose row for each token's type is added (an encoder's
     *                  segments), or null
     * @param inner     the lookup and, where positions are added here, the position rows
     * @param outputs   names of the result
     */
    record Embed(String table, double scale, String typeTable, List<Weight> weights, List<Node> inner,
                 List<Node> outputs) implements Step {
        public Embed {
            weights = List.copyOf(weights);
            inner = List.copyOf(inner);
            outputs = List.copyOf(outputs);
        }

        @Override
        public List<Node> nodes() {
            return concat(inner, outputs);
        }
    }

    /**
     * A norm over the model dimension.
     *
     * @param base    the name its weight and bias start with, e.g. {@code blk.3.attn_norm}
     * @param outputs names of the result; the first is the norm's own node, e.g. {@code attn_norm.3}
     */
    record Normalize(String base, Norm norm, List<Weight> weights, List<Node> outputs) implements Step {
        public Normalize {
            weights = List.copyOf(weights);
            outputs = List.copyOf(outputs);
        }

        @Override
        public List<Node> nodes() {
            return outputs;
        }
    }

    /**
     * The sequence mixer of a layer.
     *
     * @param dModel the width of the residual stream it reads and writes
     * @param mask   which positions it may see
     * @param nodes  its inner nodes, ending with its output
     */
    record Mix(int layer, SequenceMixer mixer, int dModel, MaskKind mask, List<Weight> weights, List<Node> nodes)
            implements Step {
        public Mix {
            weights = List.copyOf(weights);
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * The channel mixer of a layer.
     *
     * @param nodes its inner nodes, ending with its output
     */
    record Channel(int layer, ChannelMixer mixer, List<Weight> weights, List<Node> nodes) implements Step {
        public Channel {
            weights = List.copyOf(weights);
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * A residual connection: {@code alpha * x + B1(x) + B2(x) + ...}, added left to right, where each
     * branch is a list of steps applied to the input x. One branch is the usual sublayer; two are a
     * post-norm parallel block ({@code x + Attn(x) + FFN(x)}, then the norm).
     *
     * @param alpha   the weight of the input (DeepNet's alpha; 1 otherwise)
     * @param outputs names of the sum
     */
    record Residual(double alpha, List<List<Step>> branches, List<Node> outputs) implements Step {
        public Residual {
            branches = branches.stream().map(List::copyOf).toList();
            outputs = List.copyOf(outputs);
        }

        @Override
        public List<Node> nodes() {
            return concat(Steps.nodes(branches.stream().flatMap(List::stream).toList()), outputs);
        }

        @Override
        public List<Weight> weights() {
            return Steps.weights(branches.stream().flatMap(List::stream).toList());
        }
    }

    /**
     * Branches that read the same input and are summed, {@code B1(x) + B2(x)}: attention and FFN side by
     * side under one shared norm (GPT-J, Falcon), inside a {@link Residual}.
     */
    record Parallel(List<List<Step>> branches) implements Step {
        public Parallel {
            branches = branches.stream().map(List::copyOf).toList();
        }

        @Override
        public List<Node> nodes() {
            return Steps.nodes(branches.stream().flatMap(List::stream).toList());
        }

        @Override
        public List<Weight> weights() {
            return Steps.weights(branches.stream().flatMap(List::stream).toList());
        }
    }

    /**
     * The output head: logits {@code [vocabSize]} per token from the matrix {@code table}
     * {@code [dModel, vocabSize]} (the token embedding when tied), plus the bias {@link #BIAS} where the spec has one
     * (Phi-2), soft-capped when {@code softcap > 0}.
     *
     * @param weights the head's own matrix (none when it is the tied token embedding) and bias
     */
    record Head(String table, long dModel, long vocabSize, double softcap, List<Weight> weights, List<Node> outputs)
            implements Step {
        /** The name of the logits' bias {@code [vocabSize]}, llama.cpp's. */
        public static final String BIAS = "output.bias";

        public Head {
            weights = List.copyOf(weights);
            outputs = List.copyOf(outputs);
        }

        @Override
        public List<Node> nodes() {
            return outputs;
        }
    }

    /**
     * An encoder's output: the per-token hidden states x [T, dModel] (the first output, {@code hidden}) and the
     * one vector {@code pooling} makes of them [1, dModel] ({@code pooled}; with no pooling, the hidden states).
     * The hidden states pass on unchanged (to a {@link MaskedLm} head, or out).
     */
    record Pool(Pooling pooling, long dModel, List<Node> outputs) implements Step {
        public Pool {
            outputs = List.copyOf(outputs);
        }

        @Override
        public List<Node> nodes() {
            return outputs;
        }

        @Override
        public List<Weight> weights() {
            return List.of();
        }
    }

    /**
     * BERT's masked-LM head: {@code t = N(gelu(W x + b))} [T, dModel] ({@code mlm_dense}, {@code mlm_norm}), then
     * logits [T, vocabSize] from the token embedding {@code table} (tied, as BERT ties it) plus a bias per token
     * ({@code mlm_output.bias}).
     */
    record MaskedLm(String table, Norm norm, long dModel, long vocabSize, List<Weight> weights, List<Node> outputs)
            implements Step {
        public MaskedLm {
            weights = List.copyOf(weights);
            outputs = List.copyOf(outputs);
        }

        @Override
        public List<Node> nodes() {
            return outputs;
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
