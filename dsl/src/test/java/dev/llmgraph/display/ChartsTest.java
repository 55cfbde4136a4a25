package dev.llmgraph.display;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ChartsTest {
    private static Figure throughput() {
        return Charts.line("tokens/s vs context").xLabel("context length").yLabel("tokens/s")
                .x(128, 256, 512).series("llmgraph", 410, 380, 330).series("llama.cpp", 420, 390, 335).render();
    }

    @Test
    void lineChartRendersSvgWithItsSeriesNames() {
        Figure figure = throughput();
        String svg = figure.svg();
        Xml xml = Xml.parse(svg);
        List<String> texts = xml.all("//text").stream().map(e -> e.getTextContent()).toList();
        assertTrue(texts.contains("llmgraph"), texts.toString());
        assertTrue(texts.contains("llama.cpp"), texts.toString());
        assertTrue(texts.contains("tokens/s vs context"), texts.toString());
        Map<String, String> bundle = figure.mimeBundle();
        assertEquals(java.util.Set.of("image/svg+xml", "text/html", "text/plain"), bundle.keySet(),
                "charts show as SVG, and as an SVG image in HTML");
        assertTrue(Xml.parse(bundle.get("image/svg+xml")).all("//text").stream()
                .anyMatch(e -> e.getTextContent().equals("llmgraph")));
        assertEquals(bundle.get("image/svg+xml"), SvgBundleTest.imageSource(bundle.get("text/html")));
    }

    @Test
    void lineChartRendersPngOfItsSize() throws IOException {
        Figure figure = throughput().withSize(640, 360);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(figure.png()));
        assertEquals(640, image.getWidth());
        assertEquals(360, image.getHeight());
        long colours = java.util.Arrays.stream(image.getRGB(0, 0, 640, 360, null, 0, 640)).distinct().count();
        assertTrue(colours > 10, "more than a blank canvas: " + colours + " colours");
    }

    @Test
    void lineChartTextIsADataTable() {
        assertEquals("""
                tokens/s vs context
                context length  llmgraph  llama.cpp
                --------------  --------  ---------
                           128       410        420
                           256       380        390
                           512       330        335""", throughput().toString());
    }

    @Test
    void seriesWithTheirOwnXListEveryPoint() {
        String text = Charts.line("loss").xLabel("step").yLabel("loss")
                .series("train", new double[] {0, 10}, new double[] {5.5, 3.25})
                .series("eval", new double[] {10}, new double[] {3.5}).render().toString();
        assertEquals("""
                loss
                series  step  loss
                ------  ----  ----
                train      0   5.5
                train     10  3.25
                eval      10   3.5""", text);
    }

    @Test
    void mistakesAreExplained() {
        var lengths = assertThrows(IllegalArgumentException.class,
                () -> Charts.line("t").x(1, 2, 3).series("a", 1, 2));
        assertEquals("series 'a' has 3 x values and 2 y values; they must match", lengths.getMessage());
        var log = assertThrows(IllegalArgumentException.class,
                () -> Charts.line("t").logY().x(1, 2).series("a", 1, 0).render());
        assertEquals("series 'a' has y = 0.0, which a logarithmic y axis cannot show", log.getMessage());
        var noX = assertThrows(IllegalStateException.class, () -> Charts.line("t").series("a", 1.0));
        assertTrue(noX.getMessage().startsWith("series 'a' has no x values"));
        var bars = assertThrows(IllegalArgumentException.class,
                () -> Charts.bar("b").categories("x", "y").series("s", 1.0));
        assertEquals("series 's' has 1 values for 2 categories [x, y]", bars.getMessage());
    }

    @Test
    void parameterChartHasOneSeriesPerSpecWithTheAccountingNumbers() {
        Figure figure = SpecCharts.parameters(Presets.llama2_7b(), Presets.llama3_8b());
        List<String> texts = Xml.parse(figure.svg()).all("//text").stream().map(e -> e.getTextContent()).toList();
        assertTrue(texts.contains("llama-2-7b") && texts.contains("llama-3-8b"), texts.toString());
        String attentionRow = figure.toString().lines().filter(l -> l.startsWith("attention")).findFirst().orElseThrow();
        // LLaMA-2-7B: 32 layers x 4 x 4096^2; LLaMA-3-8B: 32 x (2 x 4096^2 + 2 x 4096 x 1024)
        assertEquals(List.of("attention", "2,147,483,648", "1,342,177,280"), List.of(attentionRow.split("\\s+")));
    }

    @Test
    void kvCacheChartGoesFromMhaToMqa() {
        String text = SpecCharts.kvCacheByKvHeads(Presets.llama2_7b()).toString();
        // 2 x 32 layers x kvHeads x 128 x 2 bytes x 4096 tokens
        assertTrue(text.contains("32 (MHA)  2,048"), text);
        assertTrue(text.contains("8 (GQA)     512"), text);
        assertTrue(text.contains("1 (MQA)      64"), text);
    }

    @Test
    void ropeWavelengthChartNamesEveryVariant() {
        Positional.Rope rope = Positional.rope(10_000);
        Figure figure = SpecCharts.ropeWavelengths(64, 2048, rope, rope.withScaling(RopeScaling.linear(4)),
                rope.withScaling(RopeScaling.yarn(4, 2048)));
        List<String> texts = Xml.parse(figure.svg()).all("//text").stream().map(e -> e.getTextContent()).toList();
        for (String name : List.of("no scaling, θ 10000", "linear x4.0, θ 10000", "YaRN x4.0 from 2048, θ 10000",
                "trained context 2048")) {
            assertTrue(texts.contains(name), name + " in " + texts);
        }
        String first = figure.toString().lines().skip(3).findFirst().orElseThrow();
        // pair 0 turns once per 2 pi positions unscaled, 4 times slower with position interpolation
        assertEquals(List.of("0", "6.28", "25.1", "6.28", "2048"), List.of(first.trim().split("\\s+")));
    }

    @Test
    void alibiSlopeChartHasOneBarPerHead() {
        String text = SpecCharts.alibiSlopes(Positional.alibi(), 4).toString();
        assertEquals("""
                ALiBi slopes m_h for 4 heads
                head    slope
                ----  -------
                0        0.25
                1      0.0625
                2      0.0156
                3     0.00391""", text);
    }

    @Test
    void aLogBarChartSpansTheDecadesOfItsDataFromTheBarsBase() {
        // ALiBi with 16 heads: slopes 2^-0.5 (0.71) down to 2^-8 (0.0039), so the decades 1e-3 to 1
        Figure figure = SpecCharts.alibiSlopes(Positional.alibi(), 16);
        var plot = (org.jfree.chart.plot.CategoryPlot) figure.chart().getPlot();
        var range = plot.getRangeAxis().getRange();
        assertEquals(1e-3, range.getLowerBound(), 1e-12);
        assertEquals(1.0, range.getUpperBound(), 1e-12);
        assertEquals(1e-3, ((org.jfree.chart.renderer.category.BarRenderer) plot.getRenderer()).getBase(), 1e-12);
    }
}
