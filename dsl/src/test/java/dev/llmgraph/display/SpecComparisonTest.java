package dev.llmgraph.display;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SpecComparisonTest {
    private static final ModelSpec LLAMA = Presets.llama2_7b();
    /** The question from the design: this LLaMA with post-norm, ALiBi and MQA. */
    private static final ModelSpec VARIANT = LLAMA.withPlacement(NormPlacement.POST)
            .withPositional(Positional.alibi()).withAttention(Attention.multiQuery(32));

    @Test
    void onlyTheChangedChoicesAndTheirCostsDiffer() {
        List<String> differing = SpecComparison.of(LLAMA, VARIANT).differences().stream()
                .map(SpecComparison.Row::label).toList();
        assertEquals(List.of("positional", "attention", "heads / kvHeads / headDim", "norm placement",
                "parameters: attention", "total parameters", "KV cache per token (F16)", "KV cache at contextLength",
                "weights (F16)", "weights (F32)", "activations (batch 1)", "memory estimate",
                "memory estimate (F32)", "FLOPs per token"), differing);
    }

    @Test
    void mqaCutsTheKvCacheByTheNumberOfHeads() {
        SpecComparison.Row kv = SpecComparison.of(LLAMA, VARIANT).rows().stream()
                .filter(r -> r.label().equals("KV cache per token (F16)")).findFirst().orElseThrow();
        assertEquals("524,288 bytes (512 KiB)", kv.a());
        assertEquals("16,384 bytes (16.0 KiB)", kv.b());
        assertEquals("0.0313x", kv.ratio(), "1 / 32");
    }

    @Test
    void attentionParametersShrinkByTheKvProjections() {
        SpecComparison.Row attention = SpecComparison.of(LLAMA, VARIANT).rows().stream()
                .filter(r -> r.label().equals("parameters: attention")).findFirst().orElseThrow();
        long perLayerMha = 4L * 4096 * 4096;
        long perLayerMqa = 2L * 4096 * 4096 + 2L * 4096 * 128;
        assertEquals(String.format("%,d", 32 * perLayerMha), attention.a());
        assertEquals(String.format("%,d", 32 * perLayerMqa), attention.b());
    }

    @Test
    void htmlHighlightsExactlyTheDifferingRowsAndShowsBothDiagrams() {
        SpecComparison comparison = SpecComparison.of(LLAMA, VARIANT);
        Xml html = Xml.parse(comparison.html());
        List<String> highlighted = html.all("//tr[@class='differs']").stream()
                .map(e -> e.getAttribute("data-row")).toList();
        assertEquals(comparison.differences().stream().map(SpecComparison.Row::label).toList(), highlighted);
        for (Element row : html.all("//tr[@class='differs']")) {
            assertTrue(row.getAttribute("style").contains("background"), row.getAttribute("data-row"));
        }
        assertEquals(comparison.rows().size() - highlighted.size(), html.all("//tr[@class='same']").size());
        assertEquals(2, html.all("//svg").size());
    }

    @Test
    void aSpecComparedWithItselfHasNoDifferences() {
        assertTrue(SpecComparison.of(LLAMA, Presets.llama2_7b()).differences().isEmpty());
    }

    @Test
    void textMarksDifferingRowsWithAStar() {
        String text = SpecComparison.of(Presets.tiny(Presets.llama2_7b()),
                Presets.tiny(Presets.llama2_7b()).withPlacement(NormPlacement.POST)).toString();
        List<String> starred = text.lines().filter(l -> l.startsWith("*")).toList();
        assertEquals(List.of(
                "*  norm placement               PRE: x = x + F(N(x))                        POST: x = N(x + F(x))"),
                starred);
    }
}
