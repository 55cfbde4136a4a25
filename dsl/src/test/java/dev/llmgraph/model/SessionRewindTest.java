package dev.llmgraph.model;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A rewound session continues as a fresh session fed only the kept tokens would: the reference is that fresh
 * session, computed with the same graphs; the forgotten rows are masked out, so the logits are equal exactly.
 */
class SessionRewindTest {
    private static final int[] PROMPT = IntStream.range(0, 40).map(i -> (i * 7 + 3) % 64).toArray();
    private static final int[] FIRST = {5, 9, 11, 2, 60, 33};
    private static final int[] SECOND = {17, 1, 44};

    private static ModelSpec causal() {
        return Transformer.causalDecoder("rewind").vocabSize(64).dModel(64).layers(2).contextLength(128)
                .attention(Attention.grouped(4, 2)).ffn(Ffn.swiglu(96)).build();
    }

    @Test
    void aRewoundSessionContinuesAsAFreshOneFedTheKeptTokens() {
        try (Model model = Model.random(causal(), WeightInit.gpt2(3), ModelOptions.cpu().withThreads(1));
             Session rewound = model.session(64); Session fresh = model.session(64)) {
            rewound.feed(PROMPT);
            for (int token : FIRST) {
                rewound.feed(token);
            }
            rewound.rewind(PROMPT.length);
            assertEquals(PROMPT.length, rewound.position());
            fresh.feed(PROMPT);
            for (int token : SECOND) {
                assertArrayEquals(fresh.feed(token), rewound.feed(token), "token " + token);
            }
            rewound.rewind(3);
            fresh.reset();
            fresh.feed(PROMPT[0], PROMPT[1], PROMPT[2]);
            assertArrayEquals(fresh.feedAll(SECOND).toArray(), rewound.feedAll(SECOND).toArray(), "a batch after rewind(3)");
        }
    }

    @Test
    void keepMustLieWithinWhatTheSessionHolds() {
        try (Model model = Model.random(causal(), 1); Session session = model.session(16)) {
            session.feed(1, 2, 3);
            var e = assertThrows(IllegalArgumentException.class, () -> session.rewind(4));
            assertEquals("rewind(4): this session holds 3 tokens; keep between 0 and 3", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> session.rewind(-1));
        }
    }

    /**
     * A recurrent state has folded every token in and cannot forget the last ones: rewind starts over and feeds the
     * kept tokens again, so the next tokens get the logits of a session that never saw the forgotten ones, to the bit.
     */
    @Test
    void aRecurrentStateIsRewoundByFeedingTheKeptTokensAgain() {
        ModelSpec mamba = Presets.tiny(Presets.mamba130m());
        try (Model model = Model.random(mamba, 1); Session rewound = model.session(16);
             Session fresh = model.session(16)) {
            rewound.feed(1, 2, 3, 4, 5);
            rewound.rewind(3);
            assertEquals(3, rewound.position());
            assertEquals(3, rewound.replayedTokens());
            fresh.feed(1, 2, 3);
            assertArrayEquals(fresh.feedAll(SECOND).toArray(), rewound.feedAll(SECOND).toArray());
            assertEquals(0, fresh.replayedTokens());
        }
    }

    @Test
    void aBidirectionalPrefixIsKeptWhole() {
        ModelSpec spec = Transformer.prefixDecoder("rewind-prefix").vocabSize(64).dModel(64).layers(1)
                .contextLength(64).attention(Attention.multiHead(4)).ffn(Ffn.swiglu(96)).build();
        try (Model model = Model.random(spec, 1); Session session = model.session(16)) {
            session.feedPrefix(1, 2, 3, 4);
            session.feed(5, 6);
            session.rewind(4);
            var e = assertThrows(IllegalStateException.class, () -> session.rewind(2));
            assertEquals("rewind(2): the first 4 tokens are a bidirectional prefix, each computed with all of them "
                    + "in view; keep the whole prefix or reset()", e.getMessage());
        }
    }
}
