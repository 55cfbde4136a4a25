package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgufWriter;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;

import java.util.List;

/**
 * llama.cpp's {@code mamba2} ({@code src/models/mamba2.cpp} and {@code mamba-base.cpp}): blocks
 * {@code x + Mamba2(RMSNorm(x))} with no FFN and no positions, a final RMSNorm, an optional output head. Keys
 * {@code ssm.conv_kernel}, {@code ssm.inner_size}, {@code ssm.state_size}, {@code ssm.time_step_rank} (the number
 * of heads) and {@code ssm.group_count}; tensors {@code ssm_in} (z | xBC | dt), {@code ssm_conv1d} (weight and bias,
 * over xBC), {@code ssm_dt.bias}, {@code ssm_a} and {@code ssm_d} ([1, heads]), {@code ssm_norm} ([innerDim / groups,
 * groups]) and {@code ssm_out}.
 */
final class Mamba2Architecture implements Architecture {
    @Override
    public String name() {
        return "mamba2";
    }

    @Override
    public List<String> misfits(ModelSpec spec) {
        Misfits m = new Misfits(spec, name());
        m.embeddings(false, false);
        m.mamba2();
        m.rmsNorm();
        m.placement(NormPlacement.PRE);
        m.plainOutput();
        return m.list();
    }

    @Override
    public void writeKeys(ModelSpec spec, GgufWriter out) {
        String a = name() + ".";
        Mamba2 m = (Mamba2) spec.ssm(); // misfits() admits only Mamba-2 here
        out.putUint32(a + "ssm.conv_kernel", m.convWidth());
        out.putUint32(a + "ssm.inner_size", m.innerDim());
        out.putUint32(a + "ssm.state_size", m.stateDim());
        out.putUint32(a + "ssm.time_step_rank", m.heads());
        out.putUint32(a + "ssm.group_count", m.groups());
    }

    @Override
    public ModelSpec readSpec(ModelFile f) {
        Mamba2 mamba2 = new Mamba2(f.keys.requireInt("ssm.inner_size"), f.keys.requireInt("ssm.state_size"),
                f.keys.requireInt("ssm.conv_kernel"), f.keys.requireInt("ssm.time_step_rank"),
                f.keys.requireInt("ssm.group_count"));
        return f.builder()
                .ssm(mamba2)
                .positional(Positional.none())
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .tiedEmbeddings(f.tied())
                .build();
    }
}
