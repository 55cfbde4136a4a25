package dev.llmgraph.spec;

/**
 * A mixture of experts: the {@link ChannelMixer} in which a {@link Router} sends each token to {@code k} of
 * {@code experts} FFNs and sums their outputs, weighted; {@link SharedExperts} see every token. Parameters grow
 * with the number of experts, compute per token only with k: Mixtral-8x7B holds 46.7B parameters and a
 * token passes through about 12.9B.
 * <pre>
 *  x [dModel] --router--> scores [experts] --top-k--> ids [k], weights [k]
 *             --expert ids[0]--> y0 ... --expert ids[k-1]--> y(k-1)      (each an FFN of {@code expert}'s kind)
 *  y = sum_j weights[j] * y_j  (+ shared experts)
 * </pre>
 * The first {@code denseLayers} layers use the spec's dense {@link Ffn} instead (DeepSeek's
 * {@code first_k_dense_replace}: 1 for DeepSeek-V2), and so do the layers outside {@code sparseLayers} (Jamba routes
 * every other layer: {@code withSparseEvery(2, 1)}, its {@code expert_layer_period} and {@code expert_layer_offset}).
 *
 * @param experts         routed experts per layer
 * @param expertsPerToken k, the experts each token goes to
 * @param expert          the kind and hidden width of every routed expert (no biases)
 * @param shared          experts every token passes through
 * @param router          how scores, top-k and weights are computed
 * @param denseLayers     leading layers that keep the dense FFN
 * @param sparseLayers    the layers that route (beyond the leading dense ones); the others keep the dense FFN
 */
public record Moe(int experts, int expertsPerToken, Ffn expert, SharedExperts shared, Router router, int denseLayers,
                  LayerPeriod sparseLayers) implements ChannelMixer {

    /** Experts on every layer after the {@code denseLayers} leading ones. */
    public Moe(int experts, int expertsPerToken, Ffn expert, SharedExperts shared, Router router, int denseLayers) {
        this(experts, expertsPerToken, expert, shared, router, denseLayers, LayerPeriod.everyLayer());
    }

    /**
     * {@code experts} routed experts of kind {@code expert}, {@code k} per token, softmax router renormalised
     * over the k (Mixtral), no shared experts, every layer sparse. Refuses counts below 1 and k above experts.
     */
    public static Moe of(int experts, int k, Ffn expert) {
        FieldRules.refuse(FieldRules.count("moe.experts", experts));
        FieldRules.refuse(FieldRules.count("moe.expertsPerToken", k));
        FieldRules.refuse(FieldRules.expertsPerToken(k, experts));
        return new Moe(experts, k, expert, SharedExperts.none(), Router.softmaxRenormalised(), 0);
    }

    public Moe withShared(SharedExperts shared) {
        return new Moe(experts, expertsPerToken, expert, shared, router, denseLayers, sparseLayers);
    }

    public Moe withRouter(Router router) {
        return new Moe(experts, expertsPerToken, expert, shared, router, denseLayers, sparseLayers);
    }

    /**
     * Experts on every {@code every}-th layer, at index {@code offset} of each period, the dense FFN elsewhere
     * (Jamba: {@code withSparseEvery(2, 1)}). Refuses a period below 1 or an offset outside 0 .. every - 1 at once.
     */
    public Moe withSparseEvery(int every, int offset) {
        FieldRules.refuse(FieldRules.count("moe.sparseLayers.every", every));
        FieldRules.refuse(SparseLayerRules.offset(new LayerPeriod(every, offset)));
        return new Moe(experts, expertsPerToken, expert, shared, router, denseLayers, new LayerPeriod(every, offset));
    }

    /** Refuses a negative count at once; more than the layers is checked by {@code build()}. */
    public Moe withDenseLayers(int denseLayers) {
        if (denseLayers < 0) {
            throw new IllegalArgumentException(new SpecProblem("moe.denseLayers", denseLayers, "must be 0 or more",
                    "DeepSeek-V2 keeps 1 dense layer first").toString());
        }
        return new Moe(experts, expertsPerToken, expert, shared, router, denseLayers, sparseLayers);
    }

    /** Whether layer {@code layer} routes (true) or keeps the dense FFN. */
    public boolean sparse(int layer) {
        return layer >= denseLayers && (sparseLayers == null || sparseLayers.picks(layer));
    }

    /** Whether every layer after the leading dense ones routes. */
    public boolean routesEveryLayer() {
        return sparseLayers == null || sparseLayers.allLayers();
    }

    /** Parameters of one routed expert in a model of width {@code dModel}. */
    public long expertParameters(int dModel) {
        return expert.parameters(dModel);
    }

    @Override
    public String toString() {
        return "MoE(" + experts + " experts of " + expert + ", " + expertsPerToken + " per token, router " + router
                + (shared.present() ? ", shared " + shared : "")
                + (denseLayers > 0 ? ", first " + denseLayers + " layers dense" : "")
                + (routesEveryLayer() ? "" : ", on " + sparseLayers) + ")";
    }
}
