package dev.llmgraph.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * What an encoder (every token sees every token) may and may not be, and what only an encoder has: token types
 * and pooling. An encoder's output is its hidden states (and their pooled vector), so the choices that shape an
 * output head or rely on reading left to right are refused in words.
 */
final class EncoderRules {
    private EncoderRules() {}

    static List<SpecProblem> check(ModelSpec s) {
        List<SpecProblem> problems = new ArrayList<>();
        int types = s.embeddings().tokenTypes();
        if (types < 0) {
            problems.add(new SpecProblem("embeddings.tokenTypes", types, "must be 0 (none) or more", "BERT uses 2"));
        }
        if (s.pooling() == null) {
            problems.add(new SpecProblem("pooling", null, "must be set", s.encoder()
                    ? "Pooling.cls() (BERT), Pooling.mean() (Sentence-BERT) or Pooling.none()" : "Pooling.none()"));
        }
        if (!s.encoder()) {
            if (types > 0) {
                problems.add(new SpecProblem("embeddings.tokenTypes", types, "token types are an encoder's segments "
                        + "(BERT's sentence A and B); a " + s.kind() + " reads one stream", "set 0, or build it with "
                        + "Transformer.encoder(...)"));
            }
            if (s.maskedLmHead()) {
                problems.add(new SpecProblem("maskedLmHead", true, "a masked-LM head predicts a hidden token from both "
                        + "sides, which only an ENCODER sees; a " + s.kind() + " predicts the next token with its output "
                        + "head", "drop it, or build it with Transformer.encoder(...)"));
            }
            if (s.pooling() != null && s.pooling().pools()) {
                problems.add(new SpecProblem("pooling", s.pooling(), "only an ENCODER pools its hidden states; a "
                        + s.kind() + " predicts tokens with its output head", "use Pooling.none(), or build it with "
                        + "Transformer.encoder(...)"));
            }
            return problems;
        }
        if (s.embeddings().outputBias()) {
            problems.add(new SpecProblem("embeddings.outputBias", true, "an ENCODER has no output head to add a bias "
                    + "to (a masked-LM head has its own)", "use Embeddings.withOutputBias(false)"));
        }
        if (s.ssm() != null) {
            problems.add(new SpecProblem("ssm", s.ssm(), "a selective scan reads left to right, so it cannot see the "
                    + "tokens after a position as an ENCODER must", "use attention, or make it a CAUSAL_DECODER"));
        }
        if (s.linear() != null) {
            problems.add(new SpecProblem("linearAttention", s.linear(), "linear attention is built here as a "
                    + "left-to-right recurrence, so it cannot see the tokens after a position as an ENCODER must",
                    "use attention, or make it a CAUSAL_DECODER"));
        }
        if (s.rwkv() != null) {
            problems.add(new SpecProblem("rwkv", s.rwkv(), "RWKV's time mixing reads left to right, so it cannot see "
                    + "the tokens after a position as an ENCODER must", "use attention, or make it a CAUSAL_DECODER"));
        }
        if (s.latent() != null) {
            problems.add(new SpecProblem("latentAttention", s.latent(), "latent attention is built here for a "
                    + "decoder's compressed KV cache, which an ENCODER does not keep", "use Attention.multiHead(heads)"));
        }
        if (s.attention() != null && s.attention().window() != null) {
            problems.add(new SpecProblem("attention.window", s.attention().window().size(), "a sliding window here "
                    + "looks only backwards, and an ENCODER sees both ways", "drop the window"));
        }
        if (s.embeddings().tied()) {
            problems.add(new SpecProblem("embeddings.tied", true, "an ENCODER has no output head to tie to the token "
                    + "embedding", "use Embeddings.untied()"));
        }
        if (s.finalLogitSoftcap() > 0) {
            problems.add(new SpecProblem("finalLogitSoftcap", s.finalLogitSoftcap(), "an ENCODER has no output "
                    + "logits to cap", "set 0"));
        }
        return problems;
    }
}
