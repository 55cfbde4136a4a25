package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.StateSpace;

/**
 * The {@code ssm.*} keys of llama.cpp's {@code mamba} and {@code mamba2} ({@code src/models/mamba.cpp},
 * {@code mamba2.cpp} and {@code mamba-base.cpp}): blocks {@code x + Mamba(RMSNorm(x))} with no FFN and no positions,
 * a final RMSNorm, an optional output head.
 * <ul>
 *   <li>mamba: {@code ssm.conv_kernel}, {@code ssm.inner_size}, {@code ssm.state_size}, {@code ssm.time_step_rank};
 *       tensors {@code ssm_in}, {@code ssm_conv1d} (weight and bias), {@code ssm_x}, {@code ssm_dt} (weight and
 *       bias), {@code ssm_a} (A itself, negative: the converter writes -exp(A_log)), {@code ssm_d}, {@code ssm_out}.
 *       The loader accepts only an expansion factor of 2 (innerDim = 2 x dModel), and the {@code ssm.dt_b_c_rms}
 *       variant (FalconMamba's RMSNorm on dt, B and C) is not llmgraph's Mamba. The converter writes
 *       {@code feed_forward_length} and {@code attention.head_count} as 0.</li>
 *   <li>mamba2: the same keys with {@code ssm.time_step_rank} the number of heads, and {@code ssm.group_count};
 *       tensors {@code ssm_in} (z | xBC | dt), {@code ssm_conv1d} (over xBC), {@code ssm_dt.bias}, {@code ssm_a} and
 *       {@code ssm_d} ([1, heads]), {@code ssm_norm} ([innerDim / groups, groups]) and {@code ssm_out}.</li>
 * </ul>
 */
final class StateSpaceKeys {
    private StateSpaceKeys() {
    }

    /** The mixer's keys; the family's misfits have admitted only its own state space here. */
    static void write(String architecture, ModelSpec spec, GgufWriter out) {
        String a = architecture + ".";
        StateSpace mixer = spec.ssm();
        out.putUint32(a + "ssm.conv_kernel", mixer.convWidth());
        out.putUint32(a + "ssm.inner_size", mixer.innerDim());
        out.putUint32(a + "ssm.state_size", mixer.stateDim());
        switch (mixer) {
            case Ssm m -> {
                out.putUint32(a + "ssm.time_step_rank", m.dtRank());
                out.putBool(a + "ssm.dt_b_c_rms", false);
            }
            case Mamba2 m -> {
                out.putUint32(a + "ssm.time_step_rank", m.heads());
                out.putUint32(a + "ssm.group_count", m.groups());
            }
        }
    }

    static ModelSpec readMamba(ModelFile f) {
        if (f.keys.boolOr("ssm.dt_b_c_rms", false)) {
            throw f.keys.problem("key '" + f.keys.key("ssm.dt_b_c_rms") + "' is true: RMSNorm on dt, B and C "
                    + "(FalconMamba), which llmgraph's Mamba does not have");
        }
        Ssm ssm = new Ssm(f.keys.requireInt("ssm.inner_size"), f.keys.requireInt("ssm.state_size"),
                f.keys.requireInt("ssm.conv_kernel"), f.keys.requireInt("ssm.time_step_rank"));
        return withMixer(f, ssm);
    }

    static ModelSpec readMamba2(ModelFile f) {
        Mamba2 mamba2 = new Mamba2(f.keys.requireInt("ssm.inner_size"), f.keys.requireInt("ssm.state_size"),
                f.keys.requireInt("ssm.conv_kernel"), f.keys.requireInt("ssm.time_step_rank"),
                f.keys.requireInt("ssm.group_count"));
        return withMixer(f, mamba2);
    }

    private static ModelSpec withMixer(ModelFile f, StateSpace mixer) {
        return f.builder()
                .ssm(mixer)
                .positional(Positional.none())
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .tiedEmbeddings(f.tied())
                .build();
    }
}
