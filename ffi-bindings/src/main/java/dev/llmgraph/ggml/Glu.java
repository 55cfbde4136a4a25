package dev.llmgraph.ggml;

/**
 * The gated linear units ggml fuses into one op: {@code act(gate) * up}.
 * <ul>
 *   <li>SWIGLU: act = SiLU (LLaMA, Mistral, Qwen)</li>
 *   <li>GEGLU: act = GELU, tanh approximation</li>
 *   <li>GEGLU_ERF: act = GELU, exact erf form</li>
 *   <li>REGLU: act = ReLU</li>
 * </ul>
 */
public enum Glu {
    SWIGLU("swiglu"), GEGLU("geglu"), GEGLU_ERF("geglu_erf"), REGLU("reglu");

    private final String opName;

    Glu(String opName) {
        this.opName = opName;
    }

    public String opName() {
        return opName;
    }
}
