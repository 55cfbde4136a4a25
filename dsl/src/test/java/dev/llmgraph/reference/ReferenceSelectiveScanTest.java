package dev.llmgraph.reference;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llmgraph's Mamba, lowered with ggml's {@code ssm_conv} and {@code ssm_scan}, against the double-precision selective
 * scan written from the paper ({@link ReferenceSelectiveScan}), within {@link Tolerances#FLOAT32} of the logits'
 * scale (F32 weights): the whole prompt in one batch and one token at a time, for two shapes (Mamba's defaults, and
 * a narrow state, a short convolution and a dt rank above dModel / 16; each also with Jamba's RMSNorms on dt, B and
 * C), and Mamba-2 against its own reference
 * ({@link ReferenceMamba2}): one group, and two groups of three heads with a short convolution.
 */
class ReferenceSelectiveScanTest {
    @ParameterizedTest(name = "Mamba-2: dModel {0}, stateDim {1}, convWidth {2}, {3} heads in {4} groups")
    @CsvSource({"32, 16, 4, 4, 1", "24, 8, 3, 6, 2"})
    void mamba2MatchesItsReference(int dModel, int stateDim, int convWidth, int heads, int groups) {
        check(Mamba2.of(dModel).withStateDim(stateDim).withConvWidth(convWidth).withHeads(heads, groups), dModel);
    }

    @ParameterizedTest(name = "dModel {0}, stateDim {1}, convWidth {2}, dtRank {3}, RMSNorm on dt, B, C {4}")
    @CsvSource({"32, 16, 4, 2, false", "24, 4, 2, 5, false", "32, 16, 4, 2, true", "24, 8, 3, 4, true"})
    void mambaMatchesTheSelectiveScanReference(int dModel, int stateDim, int convWidth, int dtRank,
                                               boolean dtBcNorm) {
        check(Ssm.mamba(dModel).withStateDim(stateDim).withConvWidth(convWidth).withDtRank(dtRank)
                .withDtBcNorm(dtBcNorm), dModel);
    }

    private static void check(StateSpace mixer, int dModel) {
        ModelSpec spec = Transformer.causalDecoder("mamba-reference").vocabSize(50).dModel(dModel).layers(2)
                .contextLength(64).positional(Positional.none()).norm(Norm.rms(1e-5)).ssm(mixer).build();
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
