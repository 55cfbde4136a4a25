package dev.llmgraph.reference;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llmgraph's RWKV, lowered with ggml's {@code rwkv_wkv6} / {@code rwkv_wkv7}, against the double-precision time and
 * channel mixing written from the papers ({@link ReferenceRwkv}), within {@link Tolerances#FLOAT32} of the logits'
 * scale (F32 weights): the whole prompt in one batch and one token at a time (token shifts and WKV states carried by
 * the session), for two shapes each (one and two heads of 64, LoRA ranks from 4 to 32).
 */
class ReferenceRwkvTest {
    @ParameterizedTest(name = "RWKV-6: dModel {0}, headSize {1}, ffnDim {2}, mixRank {3}, decayRank {4}")
    @CsvSource({"64, 64, 224, 8, 16", "128, 64, 96, 4, 32"})
    void rwkv6MatchesItsReference(int dModel, int headSize, int ffnDim, int mixRank, int decayRank) {
        check(new Rwkv6(headSize, ffnDim, mixRank, decayRank), dModel);
    }

    @ParameterizedTest(name = "RWKV-7: dModel {0}, headSize {1}, ffnDim {2}, ranks {3}")
    @CsvSource({"64, 64, 256, 8", "128, 64, 96, 16"})
    void rwkv7MatchesItsReference(int dModel, int headSize, int ffnDim, int rank) {
        check(new Rwkv7(headSize, ffnDim, rank, rank / 2 + 1, rank, 2 * rank), dModel);
    }

    private static void check(Rwkv mixer, int dModel) {
        ModelSpec spec = Transformer.causalDecoder("rwkv-reference").vocabSize(50).dModel(dModel).layers(2)
                .contextLength(64).positional(Positional.none()).norm(Norm.layer(1e-5))
                .embeddings(Embeddings.untied().withLayerNorm(true)).rwkv(mixer).build();
        int[] tokens = {3, 17, 41, 8, 8, 29, 0, 12, 45, 33, 6, 21};
        try (Model model = Model.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(1)
                .withMatrixType(GgmlType.F32))) {
            ReferenceForward.Result expected = ReferenceForward.of(model).run(tokens, 0);
            double whole = Tolerances.relativeError(model.forward(tokens), expected.logits());
            assertTrue(whole <= Tolerances.FLOAT32, "whole prompt: logits differ from the reference by " + whole);
            try (var session = model.session(64)) {
                for (int t = 0; t < tokens.length; t++) {
                    double step = Tolerances.relativeError(session.feed(tokens[t]), expected.logits()[t]);
                    assertTrue(step <= Tolerances.FLOAT32, "token " + t + " alone differs by " + step);
                }
            }
        }
    }
}
