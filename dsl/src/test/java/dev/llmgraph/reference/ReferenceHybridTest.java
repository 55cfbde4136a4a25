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
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hybrid stack of softmax attention and GLA-style linear attention against the double-precision reference (each
 * layer's mixer from the spec's pattern, softmax attention by {@link ReferenceAttention}, linear attention by
 * {@link ReferenceLinearAttention}), within {@link Tolerances#FLOAT32} of the logits' scale (F32 weights): the whole
 * prompt and one token at a time.
 */
class ReferenceHybridTest {
    @ParameterizedTest(name = "softmax every {0}, offset {1}")
    @CsvSource({"2, 1", "3, 0"})
    void hybridStackMatchesItsReference(int every, int offset) {
        ModelSpec spec = Transformer.causalDecoder("hybrid-reference").vocabSize(50).dModel(128).layers(3)
                .contextLength(64).positional(Positional.none()).norm(Norm.rms(1e-5)).ffn(Ffn.swiglu(96))
                .attention(Attention.grouped(4, 2)).linearAttention(LinearAttention.gla(2))
                .hybrid(HybridPattern.softmaxEvery(every).withOffset(offset)).build();
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
            System.out.printf("hybrid every %d offset %d: whole %.2e%n", every, offset, whole);
        }
    }
}
