package dev.llmgraph.display;

import dev.llmgraph.model.Model;
import dev.llmgraph.model.NodeValue;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import org.jfree.chart.ChartRenderingInfo;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HeatmapsTest {
    @Test
    void causalMaskHidesTheFuture() {
        Heatmap h = Heatmaps.mask(MaskKind.CAUSAL, 8);
        assertEquals(1, h.value(5, 3));
        assertEquals(1, h.value(5, 5));
        assertEquals(0, h.value(3, 5));
        for (int q = 0; q < 8; q++) {
            for (int k = 0; k < 8; k++) {
                assertEquals(MaskKind.CAUSAL.visible(q, k, 0, 0) ? 1 : 0, h.value(q, k));
            }
        }
    }

    @Test
    void prefixMaskIsBidirectionalOverThePrefixOnly() {
        Heatmap h = Heatmaps.mask(MaskKind.PREFIX, 12, 6, 0);
        assertEquals("prefix mask, prefix 6", h.title());
        assertEquals(1, h.value(2, 4), "inside the prefix a query sees later prefix keys");
        assertEquals(1, h.value(8, 5));
        assertEquals(0, h.value(7, 9), "after the prefix it is causal");
    }

    @Test
    void slidingMaskSeesOnlyTheLastWindowPositions() {
        Heatmap h = Heatmaps.mask(MaskKind.SLIDING, 8, 0, 3);
        assertEquals(0, h.value(7, 4));
        assertEquals(1, h.value(7, 5));
        assertEquals(1, h.value(7, 7));
        assertEquals("""
                sliding mask, window 3  (8 query position rows x 8 key position columns)
                0 | # . . . . . . .
                1 | # # . . . . . .
                2 | # # # . . . . .
                3 | . # # # . . . .
                4 | . . # # # . . .
                5 | . . . # # # . .
                6 | . . . . # # # .
                7 | . . . . . # # #""", h.toString());
    }

    /** UniLM's source-target mask as chosen for an encoder call: the source sees only itself, the target reads both. */
    @Test
    void sequenceToSequenceMaskOfAnEncoderCall() {
        Heatmap h = Heatmaps.mask(AttentionMask.sequenceToSequence(3), 5);
        assertEquals("""
                sequence-to-sequence (source 3) mask  (5 query position rows x 5 key position columns)
                0 | # # # . .
                1 | # # # . .
                2 | # # # . .
                3 | # # # # .
                4 | # # # # #""", h.toString());
    }

    @Test
    void bidirectionalMaskSeesEverything() {
        Heatmap h = Heatmaps.mask(MaskKind.BIDIRECTIONAL, 5);
        for (int q = 0; q < 5; q++) {
            for (int k = 0; k < 5; k++) {
                assertEquals(1, h.value(q, k));
            }
        }
    }

    @Test
    void specMaskUsesItsWindowOnSlidingLayers() {
        Heatmap h = Heatmaps.mask(Presets.tiny(Presets.mistral7b()), 0, 32);
        assertTrue(h.title().startsWith("tiny-mistral-7b layer 0: sliding mask, window 16 drawn as 8"), h.title());
        assertEquals(0, h.value(20, 12));
        assertEquals(1, h.value(20, 13));
    }

    /** Reads the rendered PNG at the centre of cells: visible and hidden cells have the mask's two colours. */
    @Test
    void renderedMaskCellsHaveThePaletteColours() {
        int n = 10;
        Heatmap h = Heatmaps.mask(MaskKind.CAUSAL, n);
        Figure figure = h.render();
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage image = figure.image(info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        Color visible = Palette.MASK.colour(1, 0, 1), hidden = Palette.MASK.colour(0, 0, 1);
        assertNotEquals(visible, hidden);
        for (int[] cell : new int[][] {{0, 0}, {9, 0}, {9, 9}, {4, 2}, {0, 9}, {2, 7}, {5, 6}}) {
            int q = cell[0], k = cell[1];
            int x = (int) (area.getX() + (k + 0.5) * area.getWidth() / n);
            int y = (int) (area.getY() + (q + 0.5) * area.getHeight() / n);
            Color expected = k <= q ? visible : hidden;
            assertEquals(expected, new Color(image.getRGB(x, y)), "cell q=" + q + " k=" + k);
        }
    }

    @Test
    void heatmapsShowAsPngWithTheirTextForm() {
        Map<String, String> bundle = Heatmaps.mask(MaskKind.CAUSAL, 4).mimeBundle();
        byte[] png = java.util.Base64.getDecoder().decode(bundle.get("image/png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals("PNG", new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(bundle.get("text/plain").startsWith("causal mask"));
    }

    @Test
    void sinusoidalTableMatchesTheFormula() {
        int d = 16;
        Heatmap h = Heatmaps.sinusoidal(20, d);
        // PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d))
        assertEquals(Math.sin(7 / Math.pow(10_000, 4.0 / d)), h.value(7, 4), 1e-12);
        assertEquals(Math.cos(7 / Math.pow(10_000, 4.0 / d)), h.value(7, 5), 1e-12);
        assertEquals(0, h.value(0, 0), 1e-12);
        assertEquals(1, h.value(0, 1), 1e-12);
        assertEquals(Palette.DIVERGING, h.palette());
    }

    @Test
    void ropeRotationIsTheCosineOfPositionTimesFrequency() {
        Positional.Rope rope = Positional.rope(10_000).withScaling(RopeScaling.linear(2));
        Heatmap h = Heatmaps.ropeRotation(rope, 16, 40);
        assertEquals(8, h.columnCount(), "one column per pair");
        double frequency = Math.pow(10_000, -2.0 * 3 / 16) / 2;
        assertEquals(Math.cos(31 * frequency), h.value(31, 3), 1e-12);
    }

    @Test
    void alibiBiasGrowsWithDistanceAtTheHeadsSlope() {
        // the ALiBi paper's slopes for 8 heads: 1/2, 1/4, ..., 1/256
        Positional.Alibi alibi = Positional.alibi();
        for (int head = 0; head < 8; head++) {
            assertEquals(Math.pow(2, -(head + 1)), alibi.slope(head, 8), 1e-15);
        }
        Heatmap h = Heatmaps.alibiBias(alibi, 8, 1, 10);
        assertEquals(-0.25 * 3, h.value(5, 2), 1e-15);
        assertEquals(0, h.value(4, 4), 1e-15);
        assertTrue(Double.isNaN(h.value(2, 5)), "masked cells have no bias");
        assertEquals(Palette.UNDEFINED, h.colour(2, 5));
    }

    @Test
    void t5BucketsAreExactNearAndLogarithmicFar() {
        Positional.T5Bias t5 = Positional.t5Bias(32, 128);
        Heatmap h = Heatmaps.t5Buckets(t5, 130, true);
        // bidirectional: 16 buckets a side, the first 8 exact; keys after the query use the upper half
        assertEquals(0, h.value(10, 10));
        assertEquals(3, h.value(10, 7));
        assertEquals(16 + 3, h.value(7, 10));
        // distance 127: 8 + floor(ln(127/8) / ln(128/8) * 8) = 8 + 7
        assertEquals(15, h.value(127, 0));
        assertEquals(t5.bucket(50 - 60, true), h.value(60, 50));
    }

    @Test
    void attentionWeightsOfARealModelAreCausalAndSumToOne() {
        int[] tokens = {5, 17, 3, 99, 42, 7};
        try (Model model = Model.random(Presets.tiny(Presets.llama2_7b()), 7)) {
            NodeValue weights = model.inspect(tokens, "kq_softmax.0").node("kq_softmax.0");
            Heatmap h = Heatmaps.node(weights, 1);
            assertEquals(tokens.length, h.rowCount());
            assertEquals(tokens.length, h.columnCount());
            for (int q = 0; q < tokens.length; q++) {
                double sum = 0;
                for (int k = 0; k < tokens.length; k++) {
                    assertEquals(weights.get(1, q, k), h.value(q, k), 0.0);
                    if (k > q) {
                        assertEquals(0, h.value(q, k), 1e-7, "future key " + k + " of query " + q);
                    }
                    sum += h.value(q, k);
                }
                assertEquals(1, sum, 1e-4, "softmax row " + q);
            }
            assertTrue(h.title().startsWith("kq_softmax.0 head 1"));
            assertThrows(IllegalArgumentException.class, () -> Heatmaps.node(weights, 4));
            assertThrows(IllegalArgumentException.class, () -> Heatmaps.node(weights));
        }
    }

    @Test
    void badMatricesAreRejectedInWords() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Heatmap.of("ragged", new double[][] {{1, 2}, {3}}));
        assertEquals("heatmap 'ragged': row 1 has 1 values, row 0 has 2", e.getMessage());
        assertEquals("headDim = -4 must be positive", assertThrows(IllegalArgumentException.class,
                () -> Heatmaps.ropeRotation(Positional.rope(10_000), -4, 8)).getMessage());
        assertEquals("layer = 99 is not one of the 2 layers of tiny-gpt2-small (0 to 1)", assertThrows(
                IllegalArgumentException.class, () -> Heatmaps.mask(Presets.byName("tiny-gpt2-small"), 99, 8))
                .getMessage());
    }
}
