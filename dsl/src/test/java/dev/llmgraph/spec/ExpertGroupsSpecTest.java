package dev.llmgraph.spec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Group-limited routing as a spec: its refusals, word for word, at the door and from build(). */
class ExpertGroupsSpecTest {
    private static ModelBuilder base() {
        return Transformer.causalDecoder("groups").vocabSize(1000).dModel(64).layers(2).contextLength(128)
                .attention(Attention.grouped(4, 2));
    }

    private static List<String> problems(Moe moe) {
        var e = assertThrows(InvalidSpecException.class, () -> base().moe(moe).build());
        return e.problems().stream().map(SpecProblem::toString).toList();
    }

    @Test
    void moreKeptGroupsThanGroupsIsRefusedAtTheDoor() {
        var e = assertThrows(IllegalArgumentException.class, () -> ExpertGroups.of(4, 5));
        assertEquals("moe.router.groups.kept = 5: must be at most count = 4: a token cannot keep more groups than "
                + "there are; DeepSeek-V2 keeps 3 of 8 groups", e.getMessage());
        var zero = assertThrows(IllegalArgumentException.class, () -> ExpertGroups.of(0, 1));
        assertEquals("moe.router.groups.count = 0: must be at least 1; DeepSeek-V2 splits its experts into 8 groups; "
                + "1 is no grouping", zero.getMessage());
    }

    @Test
    void groupsMustDivideTheExperts() {
        assertEquals(List.of("moe.router.groups.count = 3: must divide experts = 8: the experts are split into equal "
                        + "groups; DeepSeek-V2 splits 160 experts into 8 groups of 20"),
                problems(Moe.of(8, 2, Ffn.swiglu(32)).withRouter(Router.softmax().withGroups(ExpertGroups.of(3, 2)))));
    }

    @Test
    void theTopKMustFitInTheKeptGroups() {
        assertEquals(List.of("moe.expertsPerToken = 5: must be at most the 4 experts of the kept groups (2 x 2); keep "
                        + "more groups, or route to fewer experts"),
                problems(Moe.of(8, 5, Ffn.swiglu(32)).withRouter(Router.softmax().withGroups(ExpertGroups.of(4, 2)))));
    }

    @Test
    void rankingByTwoBestExpertsNeedsTwoPerGroup() {
        assertEquals(List.of("moe.router.groups.count = 4: leaves 1 expert per group, and a group ranked by its two "
                        + "best experts needs at least 2; use fewer groups, or rank groups by their best expert "
                        + "(DeepSeek-V2's rule)"),
                problems(Moe.of(4, 1, Ffn.swiglu(32)).withRouter(Router.softmax().withGroups(ExpertGroups.of(4, 2)))));
        // Ranked by its best expert, a group of one is fine.
        base().moe(Moe.of(4, 1, Ffn.swiglu(32)).withRouter(Router.softmax().withGroups(ExpertGroups.of(4, 2)
                .withRanking(ExpertGroups.Ranking.BEST_EXPERT)))).build();
    }

    @Test
    void aRecordMadeWithItsConstructorIsCheckedByBuild() {
        Router router = Router.softmax().withGroups(new ExpertGroups(2, 3, null));
        assertEquals(List.of("moe.router.groups.kept = 3: must be at most count = 2: a token cannot keep more groups "
                        + "than there are; DeepSeek-V2 keeps 3 of 8 groups",
                        "moe.router.groups.ranking = null: must be set; TWO_BEST_EXPERTS is llama.cpp's rule, "
                                + "BEST_EXPERT DeepSeek-V2's"),
                problems(Moe.of(8, 2, Ffn.swiglu(32)).withRouter(router)));
    }

    @Test
    void theRouterSaysWhichGroupsItKeeps() {
        Router router = Router.softmax().withGroups(ExpertGroups.of(8, 3).withRanking(ExpertGroups.Ranking.BEST_EXPERT));
        assertEquals("softmax, top-k, best 3 of 8 groups by their best expert", router.toString());
    }
}
