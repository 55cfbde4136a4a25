package dev.llmgraph.spec;

/**
 * The kernel feature map phi that linear attention applies to queries and keys before the recurrence, in place of
 * softmax's exp(q . k): attention weights become phi(q) . phi(k), which factor, so the past folds into a state.
 * <pre>
 *  IDENTITY       phi(x) = x                   RetNet, GLA: no map; the decay and the output norm keep the state
 *                                              in range
 *  ELU_PLUS_ONE   phi(x) = elu(x) + 1 > 0      Katharopoulos et al. 2020: positive weights, as softmax's are
 *  SILU           phi(x) = x sigmoid(x)        TransNormerLLM (its config's linear_act_fun "silu", applied to q and k)
 * </pre>
 */
public enum FeatureMap {
    IDENTITY("x"),
    ELU_PLUS_ONE("elu(x) + 1"),
    SILU("x sigmoid(x)");

    private final String formula;

    FeatureMap(String formula) {
        this.formula = formula;
    }

    /** phi(x) in words. */
    public String formula() {
        return formula;
    }
}
