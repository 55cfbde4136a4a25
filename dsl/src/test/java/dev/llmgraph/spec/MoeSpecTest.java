package dev.llmgraph.spec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The mixture-of-experts channel mixer as a spec: which layers route, its refusals (word for word), and what
 * the plan counts: total and active parameters, FLOPs per token with k experts, written out by hand here.
 */
class MoeSpecTest {
    private static ModelBuilder base() {
        return Transformer.causalDecoder("moe").vocabSize(1000).dModel(64).layers(3).contextLength(128)
                .attention(Attention.grouped(4, 2));
    }

    @Test
    void denseLayersFirstKeepTheFfnAndTheRestRoute() {
        ModelSpec spec = base().ffn(Ffn.swiglu(256))
                .moe(Moe.of(8, 2, Ffn.swiglu(32)).withDenseLayers(1)).build();
        assertInstanceOf(Ffn.class, spec.layer(0).channel());
        assertInstanceOf(Moe.class, spec.layer(1).channel());
        assertInstanceOf(Moe.class, spec.layer(2).channel());
    }

    @Test
    void withoutADenseFfnTheSpecsFfnIsTheExperts() {
        ModelSpec spec = base().moe(Moe.of(8, 2, Ffn.swiglu(32))).build();
        assertEquals(Ffn.swiglu(32), spec.ffn());
    }

    @Test
    void totalAndActiveParametersCountTheExpertsOnceAndKTimes() {
        int d = 64, layers = 3, experts = 8, k = 2, width = 32, shared = 2 * 32, dense = 256;
        ModelSpec spec = base().ffn(Ffn.swiglu(dense))
                .moe(Moe.of(experts, k, Ffn.swiglu(width)).withRouter(Router.softmax())
                        .withShared(SharedExperts.of(2, 32).withSigmoidGate(true)).withDenseLayers(1))
                .build();
        long expert = 3L * d * width;
        long sparseLayers = layers - 1;
        long router = (long) d * experts;
        long sharedFfn = 3L * d * shared + d; // gate, up, down and the gate's vector
        Accounting a = spec.accounting();
        assertEquals(sparseLayers * experts * expert, a.parameters().of("experts"));
        assertEquals(sparseLayers * k * expert, a.activeParameters().of("experts"));
        assertEquals(sparseLayers * router, a.parameters().of("router"));
        assertEquals(sparseLayers * sharedFfn, a.parameters().of("shared experts"));
        assertEquals(3L * d * dense, a.parameters().of("ffn"));
        assertEquals(a.parameters().total() - sparseLayers * (experts - k) * expert, a.activeParameters().total());

        ModelSpec dense1 = spec.withMoe(null);
        long flopsDelta = a.flopsPerToken(16) - dense1.accounting().flopsPerToken(16);
        // The two sparse layers trade a dense FFN for router + k experts + shared experts.
        assertEquals(2 * sparseLayers * (router + k * expert + sharedFfn - 3L * d * dense), flopsDelta);
    }

    @Test
    void moreExpertsPerTokenThanExpertsIsRefusedAtTheDoor() {
        var e = assertThrows(IllegalArgumentException.class, () -> Moe.of(4, 5, Ffn.swiglu(32)));
        assertEquals("moe.expertsPerToken = 5: must be at most experts = 4: a token cannot go to more experts than "
                + "there are; Mixtral routes each token to 2 of 8", e.getMessage());
    }

    @Test
    void aNonPositiveRouterScaleIsRefusedAtTheDoor() {
        var e = assertThrows(IllegalArgumentException.class, () -> Router.softmax().withScale(0));
        assertEquals("moe.router.scale = 0.0: must be a positive number; 1 is no scaling; DeepSeek-V2 uses 16",
                e.getMessage());
    }

    /** Found by the config.json fuzzer: a DeepSeek-V2 config with n_shared_experts = 2^30 made a width of 0. */
    @Test
    void sharedExpertsWiderThanATensorDimensionAreRefusedInWords() {
        Moe wide = Moe.of(4, 2, Ffn.swiglu(32)).withShared(SharedExperts.of(1 << 30, 4));
        var e = assertThrows(InvalidSpecException.class, () -> base().moe(wide).build());
        assertEquals(List.of("moe.shared = 1073741824 x 4: makes 4294967296 hidden units in one FFN, more than a tensor "
                + "dimension holds (2147483647); Qwen1.5-MoE-A2.7B: SharedExperts.of(4, 1408)"),
                e.problems().stream().map(SpecProblem::toString).toList());
    }

    @Test
    void buildReportsEveryMoeProblemAtOnce() {
        Moe bad = new Moe(4, 6, Ffn.swiglu(32).withBias(true), new SharedExperts(0, 0, true), Router.softmax(), 3);
        var e = assertThrows(InvalidSpecException.class, () -> base().moe(bad).build());
        assertEquals(List.of(
                "moe.expertsPerToken = 6: must be at most experts = 4: a token cannot go to more experts than there "
                        + "are; Mixtral routes each token to 2 of 8",
                "moe.expert.bias = true: routed experts have no biases here (Mixtral, Qwen-MoE, OLMoE and DeepSeek "
                        + "have none); use .withBias(false) on the expert FFN",
                "moe.shared.sigmoidGate = true: gates shared experts, and there are none; add shared experts with "
                        + "SharedExperts.of(count, width), or drop the gate",
                "moe.denseLayers = 3: must be 0 or more and less than layers = 3, or no layer would route; "
                        + "DeepSeek-V2 keeps 1 dense layer first; drop .moe(...) for a dense model"),
                e.problems().stream().map(SpecProblem::toString).toList());
    }
}
