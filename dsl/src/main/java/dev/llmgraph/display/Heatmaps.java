package dev.llmgraph.display;

import dev.llmgraph.model.NodeValue;
import dev.llmgraph.model.Routing;
import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;

import java.util.Arrays;
import java.util.Locale;

/**
 * Heatmaps of the things the articles draw as matrices, each computed by the spec's own functions:
 * <pre>{@code
 * Heatmaps.mask(MaskKind.PREFIX, 16, 6, 0)              // which keys each query sees (prefix of 6)
 * Heatmaps.mask(AttentionMask.sequenceToSequence(5), 8)   // UniLM's source-target mask, chosen per call
 * Heatmaps.mask(Presets.mistral7b(), 0, 32)             // a spec's mask on layer 0 (window scaled down)
 * Heatmaps.sinusoidal(64, 128)                          // the sin/cos table of "Attention Is All You Need"
 * Heatmaps.ropeRotation(Positional.rope(10_000), 64, 128)   // cos of the rotation angle, per pair and position
 * Heatmaps.alibiBias(Positional.alibi(), 8, 0, 16)      // head 0's bias -m_0 (q - k)
 * Heatmaps.t5Buckets(Positional.t5Bias(32, 128), 64, true)
 * Heatmaps.node(model.inspect(tokens, "kq_softmax.0").node("kq_softmax.0"), 0)   // head 0's attention
 * Heatmaps.expertLoad(model.routing(tokens))            // share of tokens per expert and sparse layer
 * }</pre>
 */
public final class Heatmaps {
    private Heatmaps() {}

    /** Mask {@code kind} over {@code length} positions, with a prefix of half the length and a window of a quarter. */
    public static Heatmap mask(MaskKind kind, int length) {
        return mask(kind, length, length / 2, Math.max(1, length / 4));
    }

    /** Which keys (columns) each query (row) sees: 1 visible, 0 hidden, by {@link MaskKind#visible}. */
    public static Heatmap mask(MaskKind kind, int length, int prefixLength, int window) {
        positive(length, "length");
        double[][] v = new double[length][length];
        for (int q = 0; q < length; q++) {
            for (int k = 0; k < length; k++) {
                v[q][k] = kind.visible(q, k, prefixLength, window) ? 1 : 0;
            }
        }
        String detail = switch (kind) {
            case PREFIX -> ", prefix " + prefixLength;
            case SLIDING -> ", window " + window;
            case CAUSAL, BIDIRECTIONAL -> "";
        };
        return Heatmap.of(kind.name().toLowerCase(Locale.ROOT) + " mask" + detail, v).rows("query position")
                .columns("key position").palette(Palette.MASK).valueLabel("visible");
    }

    /**
     * The mask {@code mask} chosen for an encoder call ({@code model.encode(tokens, mask)}) over {@code length}
     * tokens, from {@link AttentionMask#matrix}: 1 where the query (row) sees the key (column).
     */
    public static Heatmap mask(AttentionMask mask, int length) {
        positive(length, "length");
        boolean[][] visible = mask.matrix(length);
        double[][] v = new double[length][length];
        for (int q = 0; q < length; q++) {
            for (int k = 0; k < length; k++) {
                v[q][k] = visible[q][k] ? 1 : 0;
            }
        }
        return Heatmap.of(mask + " mask", v).rows("query position").columns("key position").palette(Palette.MASK)
                .valueLabel("visible");
    }

    /**
     * The mask layer {@code layer} of {@code spec} uses over {@code length} positions; a prefix decoder's
     * prefix is half the length. A window longer than the length would show as plain causal, so it is drawn
     * at a quarter of the length and the title says so.
     */
    public static Heatmap mask(ModelSpec spec, int layer, int length) {
        if (layer < 0 || layer >= spec.layers()) {
            throw new IllegalArgumentException("layer = " + layer + " is not one of the " + spec.layers() + " layers of "
                    + spec.name() + " (0 to " + (spec.layers() - 1) + ")");
        }
        MaskKind kind = spec.mask(layer);
        int window = spec.attention().window() == null ? length : spec.attention().window().size();
        int shown = Math.min(window, Math.max(1, length / 4));
        Heatmap h = mask(kind, length, length / 2, kind == MaskKind.SLIDING ? shown : window);
        if (kind == MaskKind.SLIDING && shown != window) {
            return h.withTitle(spec.name() + " layer " + layer + ": sliding mask, window " + window + " drawn as "
                    + shown);
        }
        return h.withTitle(spec.name() + " layer " + layer + ": " + h.title());
    }

    /** The sinusoidal table: row = position, column = dimension, by {@link Positional.Sinusoidal#value}. */
    public static Heatmap sinusoidal(int positions, int dModel) {
        positive(positions, "positions");
        positive(dModel, "dModel");
        double[][] v = new double[positions][dModel];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < dModel; i++) {
                v[p][i] = Positional.Sinusoidal.value(p, i, dModel);
            }
        }
        return Heatmap.of("sinusoidal positions (dModel " + dModel + ")", v).rows("position").columns("dimension")
                .valueLabel("sin / cos").palette(Palette.DIVERGING);
    }

    /**
     * RoPE's rotation: cos(position x frequency of pair i) with the scaling applied
     * ({@link Positional.Rope#scaledFrequency}); row = position, column = dimension pair. Fast pairs (left)
     * cycle every few positions, slow pairs (right) barely turn.
     */
    public static Heatmap ropeRotation(Positional.Rope rope, int headDim, int positions) {
        positive(positions, "positions");
        positive(headDim, "headDim");
        int pairs = rope.rotatedDims(headDim) / 2;
        double[][] v = new double[positions][pairs];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < pairs; i++) {
                v[p][i] = Math.cos(p * rope.scaledFrequency(i, headDim));
            }
        }
        return Heatmap.of("RoPE cos(angle), θ " + Format.decimal(rope.theta()) + ", " + rope.scaling(), v)
                .rows("position").columns("dimension pair").valueLabel("cos(angle)").palette(Palette.DIVERGING)
                .range(-1, 1);
    }

    /**
     * ALiBi's bias on head {@code head} of {@code heads}: {@code -slope x (q - k)} where the causal mask lets
     * q see k, undefined (grey) where it does not; slope by {@link Positional.Alibi#slope}.
     */
    public static Heatmap alibiBias(Positional.Alibi alibi, int heads, int head, int length) {
        positive(length, "length");
        if (head < 0 || head >= heads) {
            throw new IllegalArgumentException("head = " + head + " is not one of the " + heads + " heads");
        }
        double slope = alibi.slope(head, heads);
        double[][] v = new double[length][length];
        for (int q = 0; q < length; q++) {
            for (int k = 0; k < length; k++) {
                v[q][k] = k <= q ? -slope * (q - k) : Double.NaN;
            }
        }
        return Heatmap.of(String.format(Locale.ROOT, "ALiBi bias, head %d of %d (slope %s)", head, heads,
                Format.decimal(slope)), v).rows("query position").columns("key position").valueLabel("bias");
    }

    /** T5's bucket of each (query, key) distance k - q, by {@link Positional.T5Bias#bucket}. */
    public static Heatmap t5Buckets(Positional.T5Bias t5, int length, boolean bidirectional) {
        positive(length, "length");
        double[][] v = new double[length][length];
        for (int q = 0; q < length; q++) {
            for (int k = 0; k < length; k++) {
                v[q][k] = t5.bucket(k - q, bidirectional);
            }
        }
        return Heatmap.of("T5 buckets (" + t5.buckets() + ", max distance " + t5.maxDistance() + ", "
                        + (bidirectional ? "bidirectional" : "causal") + ")", v)
                .rows("query position").columns("key position").valueLabel("bucket");
    }

    /** A 2-d node read back from a model, e.g. {@code attn_norm.0} as [tokens, dModel]. */
    public static Heatmap node(NodeValue value) {
        if (value.shape().length != 2) {
            throw new IllegalArgumentException(value.name() + " has shape " + Arrays.toString(value.shape())
                    + "; pick a head with node(value, head) for a 3-d node");
        }
        return fromRows(value, 0, value.name() + " " + Arrays.toString(value.shape()), "token", "dimension");
    }

    /**
     * Slice {@code head} of a 3-d node read back from a model, e.g. {@code kq_softmax.0} as
     * [heads, tokens, keys]: that head's attention weights, query rows and key columns.
     */
    public static Heatmap node(NodeValue value, int head) {
        long[] shape = value.shape();
        if (shape.length != 3) {
            throw new IllegalArgumentException(value.name() + " has shape " + Arrays.toString(shape)
                    + "; node(value, head) takes a 3-d node such as kq_softmax.0 [heads, tokens, keys]");
        }
        if (head < 0 || head >= shape[0]) {
            throw new IllegalArgumentException("head = " + head + " is outside " + value.name() + " with " + shape[0]
                    + " heads");
        }
        return fromRows(value, head, value.name() + " head " + head, "query token", "key");
    }

    /**
     * Expert load over a prompt: row = sparse layer, column = expert, value = the share of the prompt's tokens
     * routed to it (each token counts once per chosen expert, so a row sums to k). A balanced router gives every
     * cell k / experts; a hot column is an expert most tokens go to.
     */
    public static Heatmap expertLoad(Routing routing) {
        int[] layers = routing.layers();
        double[][] v = new double[layers.length][];
        for (int i = 0; i < layers.length; i++) {
            v[i] = Arrays.stream(routing.load(layers[i])).mapToDouble(n -> (double) n / routing.tokens()).toArray();
        }
        return Heatmap.of(String.format(Locale.ROOT, "%s: expert load over %d tokens (%d of %d per token; "
                                + "balanced = %s)", routing.spec().name(), routing.tokens(), routing.expertsPerToken(),
                        routing.experts(), Format.decimal((double) routing.expertsPerToken() / routing.experts())), v)
                .rows("sparse layer (" + layers[0] + " to " + layers[layers.length - 1] + ")").columns("expert")
                .valueLabel("share of tokens").range(0, 1);
    }

    /** The weight each token gives each expert of {@code layer}: row = token, column = expert, 0 if not chosen. */
    public static Heatmap routingWeights(Routing routing, int layer) {
        return Heatmap.of(routing.spec().name() + " layer " + layer + ": router weights per token",
                        routing.weightMatrix(layer)).rows("token").columns("expert").valueLabel("weight");
    }

    private static Heatmap fromRows(NodeValue value, int slice, String title, String rows, String columns) {
        long[] shape = value.shape();
        int r = (int) shape[shape.length - 2], c = (int) shape[shape.length - 1];
        double[][] v = new double[r][c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                v[i][j] = shape.length == 2 ? value.get(i, j) : value.get(slice, i, j);
            }
        }
        Heatmap h = Heatmap.of(title, v).rows(rows).columns(columns).valueLabel(value.name());
        boolean signed = Arrays.stream(v).flatMapToDouble(Arrays::stream).anyMatch(x -> x < 0);
        return signed ? h.palette(Palette.DIVERGING) : h;
    }

    private static void positive(int n, String what) {
        if (n <= 0) {
            throw new IllegalArgumentException(what + " = " + n + " must be positive");
        }
    }
}
