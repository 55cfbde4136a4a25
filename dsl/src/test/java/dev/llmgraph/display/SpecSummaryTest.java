package dev.llmgraph.display;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

class SpecSummaryTest {
    /** Parameter counts published with the checkpoints (see the preset comments). */
    private static final Map<String, Long> PUBLISHED = Map.of(
            "gpt2-small", 124_439_808L,
            "llama-2-7b", 6_738_415_616L,
            "llama-3-8b", 8_030_261_248L,
            "bloom-560m", 559_214_592L,
            "falcon-7b", 6_921_720_704L);

    @Test
    void componentRowsAddUpToThePublishedTotal() {
        PUBLISHED.forEach((name, published) -> {
            ModelSpec spec = Presets.byName(name);
            Xml html = Xml.parse(SpecSummary.of(spec).html());
            long sum = 0;
            for (Element row : html.all("//table[@class='components']/tr[@data-component!='total']")) {
                String component = row.getAttribute("data-component");
                long shown = Long.parseLong(html.one("//tr[@data-component='" + component + "']/td[@class='params']")
                        .getAttribute("data-value"));
                assertEquals(spec.accounting().parameters().of(component), shown, name + " " + component);
                sum += shown;
            }
            assertEquals(published, sum, name);
            Element total = html.one("//tr[@data-component='total']/td[@class='params']");
            assertEquals(published, Long.parseLong(total.getAttribute("data-value")), name);
            assertEquals(String.format("%,d", published), total.getTextContent(), name);
        });
    }

    @Test
    void kvCacheBytesFollowTheFormula() {
        for (Supplier<ModelSpec> preset : Presets.all().values()) {
            ModelSpec s = preset.get();
            // 2 (K and V) x layers x kvHeads x headDim x 2 bytes (F16); MLA caches one latent row of
            // kvRank + ropeHeadDim values per layer
            long perToken = s.latent() != null
                    ? (long) s.layers() * (s.latent().kvRank() + s.latent().ropeHeadDim()) * 2
                    : 2L * s.layers() * s.kvHeads() * s.headDim() * 2;
            Xml html = Xml.parse(SpecSummary.of(s).html());
            assertEquals(perToken, Long.parseLong(html.one("//tr[@data-row='KV cache per token (F16)']")
                    .getAttribute("data-value")), s.name());
            // a sliding layer keeps only its window and a batch of 512, rounded up to 256 rows, where that is fewer
            long atContext = perToken * s.contextLength();
            for (int layer = 0; layer < s.layers(); layer++) {
                if (s.latent() == null && s.attention().slides(layer)) {
                    long ring = (s.attention().window().size() + 512 + 255) / 256 * 256;
                    long dropped = Math.max(0, s.contextLength() - ring);
                    atContext -= dropped * 2 * s.kvHeads() * s.headDim() * 2;
                }
            }
            assertEquals(atContext, Long.parseLong(html.one(
                    "//tr[@data-row='KV cache at contextLength']").getAttribute("data-value")), s.name());
        }
    }

    @Test
    void llama2KvCacheIsHalfAMebibytePerToken() {
        Xml html = Xml.parse(SpecSummary.of(Presets.llama2_7b()).html());
        assertEquals("524,288 bytes (512 KiB)",
                html.one("//tr[@data-row='KV cache per token (F16)']/td").getTextContent());
        assertEquals("2.00 GiB for 4096 tokens",
                html.one("//tr[@data-row='KV cache at contextLength']/td").getTextContent());
    }

    @Test
    void gemma3KeepsTheWindowAndOneBatchOnItsSlidingLayers() {
        // 4 global layers x 32 768 rows + 22 sliding layers x (512 + 512) rows, 1 KiB each (one K/V head of 256, F16)
        Xml html = Xml.parse(SpecSummary.of(Presets.gemma3_1b()).html());
        assertEquals("150 MiB for 32768 tokens, the sliding layers keeping 1024 (window and batch)",
                html.one("//tr[@data-row='KV cache at contextLength']/td").getTextContent());
        assertEquals((4L * 32768 + 22 * 1024) << 10, Long.parseLong(html.one(
                "//tr[@data-row='KV cache at contextLength']").getAttribute("data-value")));
    }

    @Test
    void tensorShapesAreInPaperOrder() {
        Xml html = Xml.parse(SpecSummary.of(Presets.llama3_8b()).html());
        String attention = html.one("//tr[@data-component='attention']/td[2]").getTextContent();
        // 8 K/V heads of 128: W_k maps 4096 to 1024, written [out, in]
        assertEquals("per layer: attn_q [4096, 4096], attn_k [1024, 4096], attn_v [1024, 4096], "
                + "attn_output [4096, 4096]", attention);
        assertEquals("token_embd [128256, 4096]",
                html.one("//tr[@data-component='token embedding']/td[2]").getTextContent());
    }

    @Test
    void summaryInlinesTheBlockDiagram() {
        Xml html = Xml.parse(SpecSummary.of(Presets.gpt2Small()).html());
        assertEquals(1, html.all("//svg").size());
        assertTrue(html.has("tie"));
        assertEquals("PRE: x = x + F(N(x))", html.one("//tr[@data-row='norm placement']/td").getTextContent());
    }

    @Test
    void displayBundleOfASpecIsItsSummary() {
        ModelSpec spec = Presets.tiny(Presets.llama2_7b());
        Map<String, String> bundle = Display.bundleOf(spec);
        assertEquals(SpecSummary.of(spec).html(), bundle.get("text/html"));
        assertEquals(SpecSummary.of(spec).toString(), bundle.get("text/plain"));
    }

    @Test
    void textFormIsAlignedTables() {
        assertEquals("""
                tiny-llama-2-7b
                choice                     value
                -------------------------  ------------------------------------------
                family                     causal decoder
                vocabSize                  256
                dModel                     32
                layers                     2
                contextLength              128
                embeddings                 untied
                positional                 RoPE(theta=10000.0, ADJACENT)
                attention                  MHA: every query head has its own K/V head
                heads / kvHeads / headDim  4 / 4 / 8
                mask                       causal
                norm                       RMSNorm(eps=1.0E-5)
                norm placement             PRE: x = x + F(N(x))
                block                      sequential: attention, then FFN
                ffn                        SwiGLU (gated), width 88
                final norm                 yes
                output head                own matrix

                component        parameters  share  tensors (paper order)
                ---------------  ----------  -----  ----------------------------------------------------------------------------------
                token embedding       8,192  19.7%  token_embd [256, 32]
                attention             8,192  19.7%  per layer: attn_q [32, 32], attn_k [32, 32], attn_v [32, 32], attn_output [32, 32]
                ffn                  16,896  40.6%  per layer: ffn_gate [88, 32], ffn_up [88, 32], ffn_down [32, 88]
                block norms             128   0.3%  per layer: attn_norm [32], ffn_norm [32]
                final norm               32   0.1%  output_norm [32]
                output head           8,192  19.7%  output [256, 32]
                total                41,632   100%

                cost                       value
                -------------------------  ------------------------------------------
                total parameters           41,632 (41.6K)
                KV cache per token (F16)   256 bytes (256 B)
                KV cache at contextLength  32.0 KiB for 128 tokens
                weights (F16)              81.6 KiB
                weights (F32)              163 KiB (Model.random's default)
                activations (batch 1)      6.44 KiB
                memory estimate            120 KiB = weights + KV cache + activations
                memory estimate (F32)      233 KiB: what Model.random allocates
                FLOPs per token            0.10 MFLOP at 128 tokens of context""",
                SpecSummary.of(Presets.tiny(Presets.llama2_7b())).toString());
    }
}
