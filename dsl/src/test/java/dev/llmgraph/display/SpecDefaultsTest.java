package dev.llmgraph.display;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A spec left at the builder's defaults is valid, and its summary says which settings were defaulted. */
class SpecDefaultsTest {
    /** GPT-2's shape with positional and norm placement never set: RoPE and PRE come from the builder. */
    private static ModelSpec gpt2ShapedOnDefaults() {
        return Transformer.causalDecoder("gpt2-shaped")
                .vocabSize(50257).dModel(768).layers(12).contextLength(1024)
                .attention(Attention.multiHead(12).withBias(true))
                .norm(Norm.layer(1e-5))
                .ffn(Ffn.mlp(3072, Activation.GELU_TANH))
                .build();
    }

    @Test
    void theSummarySaysWhichSettingsWereDefaulted() {
        ModelSpec spec = gpt2ShapedOnDefaults();
        Xml html = Xml.parse(SpecSummary.of(spec).html());
        String note = "left at the builder's defaults (LLaMA's): positional (RoPE(theta=10000.0, ADJACENT)), "
                + "norm placement (PRE)";
        assertEquals(note, html.one("//div[@class='defaulted']").getTextContent());
        assertTrue(SpecSummary.of(spec).toString().contains("\n" + note + "\n"));
    }

    @Test
    void choosingASettingTakesItOffTheList() {
        ModelSpec chosen = gpt2ShapedOnDefaults().withPositional(Positional.learned());
        assertEquals("norm placement (PRE)", SpecFacts.defaulted(chosen));
        assertEquals("", SpecFacts.defaulted(chosen.withPlacement(NormPlacement.PRE)));
        assertEquals(chosen.withPlacement(NormPlacement.PRE), chosen, "how a spec was written is not what it is");
    }

    @Test
    void presetsChooseEverySetting() {
        for (var preset : Presets.all().values()) {
            ModelSpec spec = preset.get();
            assertEquals("", SpecFacts.defaulted(spec), spec.name());
            assertFalse(SpecSummary.of(spec).html().contains("class=\"defaulted\""), spec.name());
        }
    }
}
