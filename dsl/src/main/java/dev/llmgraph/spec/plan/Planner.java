package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.WeightRole;

import java.util.ArrayList;
import java.util.List;

import static dev.llmgraph.spec.plan.Node.TOKENS;

/** Derives a {@link Plan} from a spec: the embedding steps, the blocks, the output steps. */
final class Planner {
    private Planner() {}

    static Plan plan(ModelSpec s) {
        List<Block> blocks = new ArrayList<>();
        for (int layer = 0; layer < s.layers(); layer++) {
            blocks.add(BlockPlanner.block(s, s.layer(layer)));
        }
        return new Plan(input(s), sharedWeights(s), blocks, output(s));
    }

    /** Token rows, scaled, with a position table added where the scheme has one; then the embedding norm. */
    private static List<Step> input(ModelSpec s) {
        long d = s.dModel();
        List<Weight> weights = new ArrayList<>();
        weights.add(new Weight("token_embd.weight", new long[] {d, s.vocabSize()}, WeightRole.TOKEN_EMBEDDING,
                "token embedding"));
        weights.addAll(positionTable(s));
        String typeTable = s.embeddings().tokenTypes() > 0 ? "token_types.weight" : null;
        if (typeTable != null) {
            weights.add(new Weight(typeTable, new long[] {d, s.embeddings().tokenTypes()},
                    WeightRole.TOKEN_TYPE_EMBEDDING, "token types"));
        }
        List<Node> inner = new ArrayList<>();
        inner.add(Node.of("tok_embd", "token embedding lookup", TOKENS, d));
        if (typeTable != null) {
            inner.add(Node.of("type_embd", "token embedding + token type rows", TOKENS, d));
        }
        if (s.positional().addsToEmbeddings()) {
            inner.add(Node.of("pos_embd", s.positional() + " position table rows", TOKENS, d));
        }
        Node embd = Node.of("embd", "input to the first block", TOKENS, d);
        if (!s.embeddings().layerNorm()) {
            return List.of(new Step.Embed("token_embd.weight", s.embeddings().scale(), typeTable,
                    weights, inner, List.of(embd)));
        }
        Step.Normalize norm = new Step.Normalize("token_embd_norm", s.norm(),
                WeightShapes.norm("token_embd_norm", d, s.norm(), "embedding norm"),
                List.of(Node.of("embd_norm", "embedding " + s.norm(), TOKENS, d), embd));
        return List.of(new Step.Embed("token_embd.weight", s.embeddings().scale(), typeTable,
                weights, inner, List.of()), norm);
    }

    /** A learned position table belongs with the embeddings, before their norm. */
    private static List<Weight> positionTable(ModelSpec s) {
        return switch (s.positional()) {
            case Positional.Learned _ -> List.of(new Weight("position_embd.weight",
                    new long[] {s.dModel(), s.contextLength()}, WeightRole.POSITION_EMBEDDING, "positional"));
            case Positional.None _, Positional.Sinusoidal _, Positional.Rope _, Positional.Alibi _,
                 Positional.T5Bias _ -> List.of();
        };
    }

    /** A bias table every layer reads belongs with the blocks, after the embedding norm. */
    private static List<Weight> sharedWeights(ModelSpec s) {
        return switch (s.positional()) {
            // T5 shares one bias table across layers; llama.cpp keeps it in block 0.
            case Positional.T5Bias t5 -> List.of(new Weight("blk.0.attn_rel_b.weight",
                    new long[] {s.heads(), t5.buckets()}, WeightRole.RELATIVE_POSITION_BIAS, "positional"));
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Rope _,
                 Positional.Alibi _ -> List.of();
        };
    }

    /** BERT's masked-LM head: dense, GELU, norm, the tied token embedding and a bias per token. */
    private static Step.MaskedLm maskedLm(ModelSpec s) {
        long d = s.dModel();
        String group = "masked-LM head";
        List<Weight> weights = new ArrayList<>();
        weights.add(new Weight("mlm_dense.weight", new long[] {d, d}, WeightRole.PROJECTION, group));
        weights.add(new Weight("mlm_dense.bias", new long[] {d}, WeightRole.BIAS, group));
        weights.addAll(WeightShapes.norm("mlm_norm", d, s.norm(), group));
        weights.add(new Weight("mlm_output.bias", new long[] {s.vocabSize()}, WeightRole.BIAS, group));
        return new Step.MaskedLm("token_embd.weight", s.norm(), d, s.vocabSize(), weights, List.of(
                Node.of("mlm_transform", "dense, GELU, " + s.norm(), TOKENS, d),
                Node.of("logits", "tied masked-LM head + bias", TOKENS, s.vocabSize())));
    }

    /** The final norm, then the output head (the token embedding when tied), or an encoder's pooling. */
    private static List<Step> output(ModelSpec s) {
        long d = s.dModel();
        List<Step> steps = new ArrayList<>();
        if (s.finalNorm()) {
            steps.add(new Step.Normalize("output_norm", s.norm(), WeightShapes.norm("output_norm", d, s.norm(),
                    "final norm"), List.of(Node.of("out_norm", "final " + s.norm(), TOKENS, d))));
        }
        if (s.encoder()) {
            boolean pools = s.pooling().pools();
            steps.add(new Step.Pool(s.pooling(), d, List.of(Node.of("hidden", "hidden states", TOKENS, d),
                    Node.of("pooled", s.pooling().toString(), pools ? 1 : TOKENS, d))));
            if (s.maskedLmHead()) {
                steps.add(maskedLm(s));
            }
            return steps;
        }
        String what = (s.tiedEmbeddings() ? "tied " : "") + "output head"
                + (s.finalLogitSoftcap() > 0 ? ", soft-capped" : "");
        List<Node> logits = List.of(Node.of("logits", what, TOKENS, s.vocabSize()));
        List<Weight> head = new ArrayList<>();
        if (!s.tiedEmbeddings()) {
            head.add(new Weight("output.weight", new long[] {d, s.vocabSize()}, WeightRole.PROJECTION, "output head"));
        }
        if (s.embeddings().outputBias()) {
            head.add(new Weight(Step.Head.BIAS, new long[] {s.vocabSize()}, WeightRole.BIAS, "output head"));
        }
        steps.add(new Step.Head(s.tiedEmbeddings() ? "token_embd.weight" : "output.weight", d, s.vocabSize(),
                s.finalLogitSoftcap(), head, logits));
        return steps;
    }
}
