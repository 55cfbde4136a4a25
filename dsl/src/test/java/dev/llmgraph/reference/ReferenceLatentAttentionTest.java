package dev.llmgraph.reference;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llmgraph's absorbed, cached MLA against the decompressed double-precision reference
 * ({@link ReferenceLatentAttention}), within {@link Tolerances#FLOAT32} of the logits' scale (F32 weights and
 * cache): the V2-Lite form (direct queries, a dense first layer, routed and shared experts) and the V2 form
 * (low-rank queries, YaRN with DeepSeek's mscale 0.707, a dense FFN). The latent itself ({@code kv_latent.L}) is
 * compared node by node with llama.cpp's {@code kv_cmpr} in {@code LayerParityTest}.
 */
class ReferenceLatentAttentionTest {
    private static ModelSpec spec(boolean v2) {
        LatentAttention mla = LatentAttention.of(4, 24).withHeadDims(12, 8, 10);
        var builder = Transformer.causalDecoder(v2 ? "mla-v2" : "mla-lite").vocabSize(50).dModel(32).layers(2)
                .contextLength(64).norm(Norm.rms(1e-6), NormPlacement.PRE);
        if (v2) {
            return builder.latentAttention(mla.withQueryRank(16).withYarnMscale(0.707))
                    .positional(Positional.rope(10_000).withScaling(RopeScaling.yarn(4, 8))).ffn(Ffn.swiglu(48))
                    .build();
        }
        return builder.latentAttention(mla).positional(Positional.rope(10_000)).ffn(Ffn.swiglu(48))
                .moe(Moe.of(4, 2, Ffn.swiglu(16)).withRouter(Router.softmax()).withShared(SharedExperts.of(1, 16))
                        .withDenseLayers(1))
                .build();
    }

    @ParameterizedTest(name = "DeepSeek-V2 form: {0}")
    @ValueSource(booleans = {false, true})
    void absorbedMlaMatchesTheDecompressedReference(boolean v2) {
        ModelSpec spec = spec(v2);
        int[] tokens = {3, 17, 41, 8, 8, 29, 0, 12, 45, 33, 6, 21};
        try (Model model = Model.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(1)
                .withMatrixType(GgmlType.F32).withCacheType(GgmlType.F32))) {
            ReferenceForward.Result expected = ReferenceForward.of(model).run(tokens, 0);
            double logits = Tolerances.relativeError(model.forward(tokens), expected.logits());
            assertTrue(logits <= Tolerances.FLOAT32, "logits differ from the reference by " + logits);
        }
    }
}
