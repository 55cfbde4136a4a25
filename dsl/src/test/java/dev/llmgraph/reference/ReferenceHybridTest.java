package dev.llmgraph.reference;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hybrid stack of softmax attention and GLA-style linear attention against the double-precision reference (each
 * layer's mixer from the spec's pattern as {@link ReferenceLayers} reads it, softmax attention by
 * {@link ReferenceAttention}, linear attention by {@link ReferenceLinearAttention}), and a Jamba-style stack (Mamba
 * with RMS-normed dt, B and C by {@link ReferenceSelectiveScan}, attention on one layer in four, experts on every
 * other layer by {@link ReferenceExperts}), within {@link Tolerances#FLOAT32} of the logits' scale (F32 weights and
 * cache): the whole prompt and one token at a time.
 */
class ReferenceHybridTest {
    @ParameterizedTest(name = "softmax every {0}, offset {1}")
    @CsvSource({"2, 1", "3, 0"})
    void hybridStackMatchesItsReference(int every, int offset) {
        ModelSpec spec = Transformer.causalDecoder("hybrid-reference").vocabSize(50).dModel(128).layers(3)
                .contextLength(64).positional(Positional.none()).norm(Norm.rms(1e-5)).ffn(Ffn.swiglu(96))
                .attention(Attention.grouped(4, 2)).linearAttention(LinearAttention.gla(2))
                .hybrid(HybridPattern.softmaxEvery(every).withOffset(offset)).build();
        check(spec);
    }

    @ParameterizedTest(name = "Jamba-style: attention on layer {0} of each 4, experts every 2nd layer from layer {1}")
    @CsvSource({"2, 1", "0, 0"})
    void jambaStyleStackMatchesItsReference(int attentionOffset, int expertOffset) {
        ModelSpec spec = Transformer.causalDecoder("jamba-reference").vocabSize(50).dModel(64).layers(4)
                .contextLength(64).positional(Positional.none()).norm(Norm.rms(1e-6))
                .ssm(Ssm.mamba(64).withDtBcNorm(true)).hybrid(HybridPattern.softmaxEvery(4).withOffset(attentionOffset))
                .attention(Attention.grouped(4, 2)).ffn(Ffn.swiglu(96))
                .moe(Moe.of(4, 2, Ffn.swiglu(96)).withRouter(Router.softmax()).withSparseEvery(2, expertOffset))
                .build();
        check(spec);
    }

    private static void check(ModelSpec spec) {
        int[] tokens = {3, 17, 41, 8, 8, 29, 0, 12, 45, 33, 6, 21};
        try (Model model = Model.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(1)
                .withMatrixType(GgmlType.F32).withCacheType(GgmlType.F32))) {
            ReferenceForward.Result expected = ReferenceForward.of(model).run(tokens, 0);
            double whole = Tolerances.relativeError(model.forward(tokens), expected.logits());
            assertTrue(whole <= Tolerances.FLOAT32, "whole prompt: logits differ from the reference by " + whole);
            try (var session = model.session(64)) {
                for (int t = 0; t < tokens.length; t++) {
                    double step = Tolerances.relativeError(session.feed(tokens[t]), expected.logits()[t]);
                    assertTrue(step <= Tolerances.FLOAT32, "token " + t + " alone differs by " + step);
                }
            }
            System.out.printf("%s: whole %.2e%n", spec.hybrid(), whole);
        }
    }
}
