package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgufWriter;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Ssm;

import java.util.List;

/**
 * llama.cpp's {@code mamba} ({@code src/models/mamba.cpp} and {@code mamba-base.cpp}, Mamba-1): blocks
 * {@code x + Mamba(RMSNorm(x))} with no FFN and no positions, a final RMSNorm, an optional output head. The mixer's
 * sizes are the keys {@code ssm.conv_kernel}, {@code ssm.inner_size}, {@code ssm.state_size} and
 * {@code ssm.time_step_rank}; its tensors {@code ssm_in}, {@code ssm_conv1d} (weight and bias), {@code ssm_x},
 * {@code ssm_dt} (weight and bias), {@code ssm_a} (A itself, negative: the converter writes -exp(A_log)),
 * {@code ssm_d} and {@code ssm_out}. llama.cpp's loader accepts only an expansion factor of 2 (innerDim = 2 x
 * dModel), and the {@code ssm.dt_b_c_rms} variant (FalconMamba's RMSNorm on dt, B and C) is not llmgraph's Mamba.
 * The converter writes {@code feed_forward_length} and {@code attention.head_count} as 0.
 */
final class MambaArchitecture implements Architecture {
    @Override
    public String name() {
        return "mamba";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(false, false);
        m.mamba();
        m.rmsNorm();
        m.placement(NormPlacement.PRE);
        m.plainOutput();
        return m.list();
    }

    @Override
    public void writeKeys(ModelSpec spec, GgufWriter out) {
        String a = name() + ".";
        Ssm m = (Ssm) spec.ssm(); // misfits() admits only Mamba here
        out.putUint32(a + "ssm.conv_kernel", m.convWidth());
        out.putUint32(a + "ssm.inner_size", m.innerDim());
        out.putUint32(a + "ssm.state_size", m.stateDim());
        out.putUint32(a + "ssm.time_step_rank", m.dtRank());
        out.putBool(a + "ssm.dt_b_c_rms", false);
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        if (f.keys.boolOr("ssm.dt_b_c_rms", false)) {
            throw f.keys.problem("key '" + f.keys.key("ssm.dt_b_c_rms") + "' is true: RMSNorm on dt, B and C "
                    + "(FalconMamba), which llmgraph's Mamba does not have");
        }
        Ssm ssm = new Ssm(f.keys.requireInt("ssm.inner_size"), f.keys.requireInt("ssm.state_size"),
                f.keys.requireInt("ssm.conv_kernel"), f.keys.requireInt("ssm.time_step_rank"));
        return f.builder()
                .ssm(ssm)
                .positional(Positional.none())
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .tiedEmbeddings(f.tied())
                .build();
    }
}
