package dev.llmgraph.display;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

class BlockDiagramTest {
    private static Xml svg(ModelSpec spec) {
        return Xml.parse(BlockDiagram.of(spec).svg());
    }

    @Test
    void everyPresetDrawsWellFormedSvgWithItsLayerCount() {
        var presets = new java.util.ArrayList<>(Presets.all().values());
        presets.addAll(Presets.stateSpace().values());
        for (Supplier<ModelSpec> preset : presets) {
            ModelSpec spec = preset.get();
            Xml xml = svg(spec);
            assertEquals("svg", xml.root().getTagName(), spec.name());
            assertEquals("× " + spec.layers() + " layers", xml.node("layers").getTextContent(), spec.name());
            // A Mamba block is its mixer alone (drawn in the sequence mixer's frame, with the scan), no FFN, except in
            // Jamba's hybrid, whose blocks have one; an RWKV block has the WKV recurrence in the mixer's frame and its
            // channel mixing in the FFN's.
            boolean mamba = spec.ssm() != null && spec.hybrid() == null;
            List<String> nodes = mamba ? List.of("tok_embd", "block", "attention", "ssm_scan", "output", "logits")
                    : spec.ssm() != null ? List.of("tok_embd", "block", "attention", "ssm_scan", "ffn", "output",
                    "logits") : spec.rwkv() != null ? List.of("tok_embd", "block", "attention", "rwkv_wkv", "ffn", "output",
                    "logits") : List.of("tok_embd", "block", "attention", "ffn", "output", "logits");
            for (String node : nodes) {
                assertTrue(xml.has(node), spec.name() + " lacks " + node);
            }
            assertEquals(!mamba, xml.has("ffn"), spec.name() + ": an FFN frame");
        }
    }

    /** BERT ends in hidden states and a pooled vector, not an output head; with its masked-LM head, in logits. */
    @Test
    void anEncoderDrawsItsTokenTypesPoolingAndMaskedLmHead() {
        ModelSpec bert = dev.llmgraph.presets.EncoderPresets.bertBaseUncased();
        assertEquals("""
                tokens -> token embedding [30522, 768] + learned positions [512, 768] + token types [2, 768] -> \
                embedding LayerNorm
                x 12 layers:
                  x = LayerNorm(x + Attention(x))    MHA: every query head has its own K/V head; biases; learned absolute; \
                bidirectional mask
                  x = LayerNorm(x + FFN(x))    GELU MLP, 768 -> 3072 -> 768
                -> hidden states [T, 768] -> CLS pooling -> pooled [768]""", BlockDiagram.of(bert).text());
        Xml plain = svg(bert);
        for (String node : List.of("tok_embd", "pos_embd", "type_embd", "embd_norm", "block", "hidden", "pooled")) {
            assertTrue(plain.has(node), "BERT lacks " + node);
        }
        assertFalse(plain.has("output") || plain.has("logits") || plain.has("mlm"), "BERT has no output head");
        assertEquals("K/V heads (12)", plain.node("kv_heads_label").getTextContent(), "an encoder keeps no KV cache");
        assertTrue(plain.top("pos_embd") + 40 < plain.top("type_embd"), "the two added tables do not overlap");
        ModelSpec withHead = bert.withMaskedLmHead(true);
        assertTrue(BlockDiagram.of(withHead).text().endsWith("-> hidden states [T, 768] -> CLS pooling -> pooled [768]; "
                + "hidden states -> masked-LM head (dense, GELU, LayerNorm; decoder tied to the token embedding, + bias) "
                + "-> logits"), BlockDiagram.of(withHead).text());
        Xml head = svg(withHead);
        assertTrue(head.has("mlm") && head.has("tie") && head.has("logits"), "the head, tied, and its logits");
        assertTrue(head.top("hidden") < head.top("mlm") && head.top("mlm") < head.top("logits"));
    }

    @Test
    void sameSpecGivesTheSameText() {
        assertEquals(BlockDiagram.of(Presets.llama3_8b()).svg(), BlockDiagram.of(Presets.llama3_8b()).svg());
    }

    @Test
    void preNormSitsBeforeEachSublayerAndTheAddComesLast() {
        Xml xml = svg(Presets.llama2_7b());
        assertTrue(xml.top("attn_fork") < xml.top("attn_norm"));
        assertTrue(xml.top("attn_norm") < xml.top("attention"));
        assertTrue(xml.top("attention") < xml.top("attn_res"));
        assertTrue(xml.top("attn_res") < xml.top("ffn_norm"));
        assertTrue(xml.top("ffn_norm") < xml.top("ffn"));
        assertTrue(xml.top("ffn") < xml.top("ffn_res"));
        assertEquals("RMSNorm", xml.label("attn_norm"));
        assertEquals("x = x + Attention(RMSNorm(x))", xml.node("attn_formula").getTextContent());
    }

    @Test
    void postNormSitsAfterTheResidualAdd() {
        Xml xml = svg(Presets.llama2_7b().withPlacement(NormPlacement.POST));
        assertTrue(xml.top("attn_fork") < xml.top("attention"));
        assertTrue(xml.top("attention") < xml.top("attn_res"));
        assertTrue(xml.top("attn_res") < xml.top("attn_norm"));
        assertTrue(xml.top("ffn") < xml.top("ffn_res"));
        assertTrue(xml.top("ffn_res") < xml.top("ffn_norm"));
        assertFalse(xml.has("attn_post_norm"));
        assertEquals("x = RMSNorm(x + FFN(x))", xml.node("ffn_formula").getTextContent());
    }

    @Test
    void sandwichHasANormOnBothSidesOfEachSublayer() {
        Xml xml = svg(Presets.llama2_7b().withPlacement(NormPlacement.SANDWICH));
        assertTrue(xml.top("attn_norm") < xml.top("attention"));
        assertTrue(xml.top("attention") < xml.top("attn_post_norm"));
        assertTrue(xml.top("attn_post_norm") < xml.top("attn_res"));
        assertTrue(xml.top("ffn_post_norm") < xml.top("ffn_res"));
    }

    @Test
    void deepNormWeightsTheResidualByAlpha() {
        ModelSpec glm = Presets.chatglm6b();
        Xml xml = svg(glm);
        double alpha = Math.pow(2.0 * 28, 0.25);
        String shown = String.format(Locale.ROOT, "%.3g", alpha);
        assertEquals("2.74", shown);
        assertEquals("× α = " + shown, xml.node("attn_alpha").getTextContent());
        assertTrue(xml.top("attn_res") < xml.top("attn_norm"), "DEEPNORM is a post-norm");
        assertTrue(xml.node("placement").getTextContent().contains("DEEPNORM-norm, α = 2.74"));
    }

    @Test
    void parallelBlockPutsAttentionAndFfnSideBySideUnderOneNorm() {
        Xml xml = svg(Presets.falcon7b());
        assertEquals(xml.top("attention"), xml.top("ffn"));
        assertTrue(xml.x("ffn") > xml.x("attention"));
        assertTrue(xml.top("attn_norm") < xml.top("attention"));
        assertFalse(xml.has("ffn_norm"));
        assertFalse(xml.has("attn_res"));
        assertTrue(xml.top("ffn") < xml.top("parallel_res"));
        assertEquals(1, xml.all("//rect[@class='norm' and ancestor::*]").stream()
                .filter(e -> e.getAttribute("data-node").startsWith("attn") || e.getAttribute("data-node").startsWith("ffn"))
                .count(), "one shared norm in the block");
    }

    @Test
    void gqaJoinsEachGroupOfQueryHeadsToOneKvHead() {
        checkHeads(Presets.llama3_8b(), 32, 8);
        Xml xml = svg(Presets.llama3_8b());
        assertEquals("attention · GQA", xml.label("attention"));
        assertEquals("32 query heads · 8 K/V heads · headDim 128", xml.sublabel("attention"));
    }

    @Test
    void mqaJoinsAllQueryHeadsToOneKvHead() {
        checkHeads(Presets.falcon7b(), 71, 1);
    }

    @Test
    void mhaGivesEveryQueryHeadItsOwnKvHead() {
        checkHeads(Presets.llama2_7b(), 32, 32);
    }

    private static void checkHeads(ModelSpec spec, int heads, int kvHeads) {
        Xml xml = svg(spec);
        assertEquals(heads, xml.all("//circle[@class='q-head']").size());
        List<Element> kv = xml.all("//rect[@class='kv-head']");
        assertEquals(kvHeads, kv.size());
        List<Element> lines = xml.all("//line[@class='share']");
        assertEquals(heads, lines.size());
        int group = heads / kvHeads;
        for (Element line : lines) {
            int h = Integer.parseInt(line.getAttribute("data-head"));
            int expectedKv = h / group;
            assertEquals(expectedKv, Integer.parseInt(line.getAttribute("data-kv")), "head " + h);
            Element target = kv.get(expectedKv);
            double centre = Double.parseDouble(target.getAttribute("x")) + Double.parseDouble(target.getAttribute("width")) / 2;
            assertEquals(centre, Double.parseDouble(line.getAttribute("x2")), 0.11, "head " + h + " ends at its K/V head");
        }
    }

    @Test
    void positionsEnterWhereTheSchemeSaysSo() {
        Xml gpt2 = svg(Presets.gpt2Small());
        assertTrue(gpt2.top("tok_embd") < gpt2.top("pos_add"));
        assertEquals("learned positions", gpt2.label("pos_embd"));
        assertEquals("[contextLength 1024, dModel 768]", gpt2.sublabel("pos_embd"));
        assertFalse(gpt2.has("rope_q"));
        assertFalse(gpt2.has("pos_bias"));

        Xml llama = svg(Presets.llama2_7b());
        assertTrue(llama.has("rope_q") && llama.has("rope_k"));
        assertTrue(llama.top("attn_q_proj") < llama.top("rope_q"));
        assertTrue(llama.top("rope_q") < llama.top("scores"));
        assertFalse(llama.has("pos_add"));
        assertFalse(llama.has("pos_bias"));

        Xml bloom = svg(Presets.bloom560m());
        assertTrue(bloom.top("scores") < bloom.top("pos_bias"));
        assertTrue(bloom.top("pos_bias") < bloom.top("softmax"));
        assertEquals("+ ALiBi bias −m_h·(q−k)", bloom.label("pos_bias"));
        assertFalse(bloom.has("rope_q"));
        assertTrue(bloom.has("embd_norm"), "BLOOM normalises its embeddings");

        Xml t5 = svg(Presets.tiny(Presets.llama2_7b()).withPositional(Positional.t5Bias(32, 128)));
        assertEquals("+ T5 bias per head, 32 buckets", t5.label("pos_bias"));

        Xml sinusoidal = svg(Presets.tiny(Presets.gpt2Small()).withPositional(Positional.sinusoidal()));
        assertEquals("sinusoidal positions", sinusoidal.label("pos_embd"));
    }

    @Test
    void ffnShowsGatingAndActivation() {
        Xml llama = svg(Presets.llama2_7b());
        assertTrue(llama.has("ffn_gate_proj"));
        assertEquals("SiLU", llama.label("ffn_act"));
        assertEquals("FFN · SwiGLU (gated)", llama.label("ffn"));
        assertEquals("dModel 4096 → 11008 → 4096", llama.sublabel("ffn"));

        Xml gpt2 = svg(Presets.gpt2Small());
        assertFalse(gpt2.has("ffn_gate_proj"));
        assertEquals("GELU (tanh)", gpt2.label("ffn_act"));
    }

    @Test
    void tiedHeadIsJoinedToTheEmbeddingAndUntiedHeadShowsItsShape() {
        Xml gpt2 = svg(Presets.gpt2Small());
        assertTrue(gpt2.has("tie"));
        assertEquals("tied: reuses the token embedding", gpt2.sublabel("output"));

        Xml llama = svg(Presets.llama2_7b());
        assertFalse(llama.has("tie"));
        assertEquals("[vocabSize 32000, dModel 4096]", llama.sublabel("output"));
        assertTrue(llama.top("block") < llama.top("out_norm"));
        assertTrue(llama.top("out_norm") < llama.top("output"));
    }

    @Test
    void slidingWindowAndSoftcapsAreLabelled() {
        Xml mistral = svg(Presets.mistral7b());
        assertEquals("+ sliding-window mask, W 4096", mistral.label("mask"));
        ModelSpec capped = Presets.tiny(Presets.llama2_7b()).withFinalLogitSoftcap(30)
                .withAttention(Attention.grouped(4, 2).withHeadDim(8).withLogitSoftcap(50));
        Xml xml = svg(capped);
        assertTrue(xml.has("softcap"));
        assertEquals("logits soft-capped: 30·tanh(x/30)", xml.node("logit_softcap").getTextContent());
    }

    @Test
    void textFormSaysTheSameInWords() {
        assertEquals("""
                block diagram of tiny-gpt2-small
                tokens -> token embedding [256, 32] + learned positions [128, 32]
                x 2 layers:
                  x = x + Attention(LayerNorm(x))    MHA: every query head has its own K/V head; biases; learned absolute; causal mask
                  x = x + FFN(LayerNorm(x))    GELU (tanh) MLP, 32 -> 128 -> 32
                -> final LayerNorm -> output head (tied to the token embedding) -> logits""",
                BlockDiagram.of(Presets.tiny(Presets.gpt2Small())).toString());
    }
}
