package dev.llmgraph.presets;

import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.spec.RopeScaling;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Presets#tiny} where keeping the choices takes more than shrinking the sizes: LongRoPE's factors sampled down to
 * a head of 8 with the contexts shrunk alike, and experts that are the FFN kept so.
 */
class TestSizeTest {
    /**
     * Phi-3.5-mini at test size: 4 of its 48 pairs (0, 16, 31 and 47, evenly spaced), trained on 131 072 / 4096 of
     * the tiny context, 4 positions, so that it runs beyond them with the long factors; and the paper's attention
     * factor for those contexts, sqrt(1 + ln 32 / ln 4), as a config.json with those numbers reads.
     */
    @Test
    void longRopeKeepsItsShapeAtTestSize() {
        var tiny = (RopeScaling.LongRope) Presets.tiny(Presets.phi35Mini()).rope().scaling();
        assertEquals(List.of(1.0800000429153442, 24.46000099182129, 62.62000274658203, 64.83999633789062),
                tiny.longFactors());
        assertEquals(4, tiny.shortFactors().size());
        assertEquals(4, tiny.trainedContext());
        assertTrue(tiny.usesLongFactors(Presets.tiny(Presets.phi35Mini()).contextLength()));
        assertEquals(Math.sqrt(1 + Math.log(32) / Math.log(4)), tiny.attentionFactor(), 1e-15);
    }

    /** An attention factor that is not the paper's is kept as it is. */
    @Test
    void anAttentionFactorOfItsOwnIsKept() {
        var full = Presets.phi35Mini();
        var own = (RopeScaling.LongRope) full.rope().scaling();
        var spec = full.withPositional(full.rope().withScaling(new RopeScaling.LongRope(own.shortFactors(),
                own.longFactors(), own.trainedContext(), 1.5)));
        assertEquals(1.5, ((RopeScaling.LongRope) Presets.tiny(spec).rope().scaling()).attentionFactor());
    }

    /**
     * Mixtral's FFN is its experts (intermediate_size is their width, and HF's mixtral has no dense FFN): the tiny
     * model's is too, so that its config.json is mixtral's (llama.cpp's converter then reads it bit for bit,
     * tools/converter-check).
     */
    @Test
    void expertsThatAreTheFfnStaySo() {
        var tiny = Presets.tiny(Presets.mixtral8x7b());
        assertEquals(tiny.moe().expert().width(), tiny.ffnDim());
        assertEquals(HfModelType.MIXTRAL, HfConfig.modelTypeFor(tiny));
    }
}
