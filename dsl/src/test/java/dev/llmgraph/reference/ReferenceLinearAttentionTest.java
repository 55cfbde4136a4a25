package dev.llmgraph.reference;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.DecaySchedule;
import dev.llmgraph.spec.FeatureMap;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.LinearDecay;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llmgraph's linear attention, lowered with ggml's {@code gated_linear_attn}, against the double-precision recurrence
 * written from its definition ({@link ReferenceLinearAttention}), within {@link Tolerances#FLOAT32} of the logits'
 * scale (F32 weights): the whole prompt in one batch and one token at a time (the state carried by the session), for
 * each decay (none, RetNet's and TransNormerLLM's fixed schedules, GLA's gates), each feature map, with and without
 * the output gate and SRMSNorm, heads of 64 and of 128; and in every block shape (post, sandwich, DeepNorm, parallel).
 */
class ReferenceLinearAttentionTest {
    @ParameterizedTest(name = "dModel {0}, heads {1}, phi {2}, decay {3}, gate {4}, norm {5}")
    @CsvSource({
            "128, 2, IDENTITY, none, false, false",
            "128, 2, ELU_PLUS_ONE, none, false, true",
            "128, 2, IDENTITY, retnet, true, true",
            "256, 2, ELU_PLUS_ONE, transnormer, true, false",
            "128, 2, SILU, transnormer, true, true",
            "128, 1, IDENTITY, gated, true, true",
            "128, 2, ELU_PLUS_ONE, gated, false, false"})
    void linearAttentionMatchesItsReference(int dModel, int heads, FeatureMap phi, String decay, boolean gate,
                                            boolean norm) {
        LinearDecay d = switch (decay) {
            case "none" -> LinearDecay.none();
            case "retnet" -> LinearDecay.fixed(DecaySchedule.retNet());
            case "transnormer" -> LinearDecay.fixed(DecaySchedule.transNormer());
            default -> LinearDecay.gated(8, 16);
        };
        LinearAttention mixer = LinearAttention.of(heads).withFeatureMap(phi).withDecay(d).withOutputGate(gate)
                .withOutputNorm(norm);
        check(Transformer.causalDecoder("linear-reference").vocabSize(50).dModel(dModel).layers(2)
                .contextLength(64).positional(Positional.none()).norm(Norm.rms(1e-5)).ffn(Ffn.swiglu(96))
                .linearAttention(mixer).build());
    }

    @ParameterizedTest(name = "{0}, parallel {1}")
    @CsvSource({"POST, false", "SANDWICH, false", "DEEPNORM, false", "PRE, true"})
    void everyBlockShapeTakesLinearAttention(NormPlacement placement, boolean parallel) {
        check(Transformer.causalDecoder("linear-blocks").vocabSize(50).dModel(128).layers(2).contextLength(64)
                .positional(Positional.none()).norm(Norm.layer(1e-5), placement).parallelBlock(parallel)
                .ffn(Ffn.mlp(96, dev.llmgraph.spec.Activation.SILU)).linearAttention(LinearAttention.retNet(2))
                .build());
    }

    private static void check(ModelSpec spec) {
        LinearAttention mixer = spec.linear();
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
            System.out.printf("linear attention %s, %s%s: whole %.2e%n", mixer, spec.placement(),
                    spec.parallelBlock() ? " parallel" : "", whole);
        }
    }
}
