package dev.llmgraph.ggml;

/**
 * YaRN's RoPE-scaling parameters (Peng et al. 2023) as ggml's rope_ext takes them: the share of
 * extrapolation mixed in ({@code extFactor}, 0 = off), the attention magnitude correction and the
 * two wavelength boundaries (in rotations) between which dimensions are blended.
 */
public record Yarn(float extFactor, float attnFactor, float betaFast, float betaSlow) {
    /** No YaRN: plain RoPE (or plain position interpolation when freqScale < 1). */
    public static final Yarn OFF = new Yarn(0f, 1f, 0f, 0f);

    /** YaRN with the paper's defaults (beta_fast 32, beta_slow 1) and full extrapolation blending. */
    public static Yarn standard(float attnFactor) {
        return new Yarn(1f, attnFactor, 32f, 1f);
    }
}
